from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "xinfang.access"
    verbose_name = "访问控制"

    def ready(self):
        from xinfang.access.home import access_panel
        from xinfang.core.home import register_home_panel

        register_home_panel(access_panel)
