from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "xinfang.safety"
    verbose_name = "校园安全"

    def ready(self):
        from xinfang.core.home import register_home_panel
        from xinfang.safety.home import safety_panel

        register_home_panel(safety_panel)
