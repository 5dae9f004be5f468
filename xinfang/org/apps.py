from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "xinfang.org"
    verbose_name = "组织网络"

    def ready(self):
        from xinfang.core.home import register_home_panel
        from xinfang.org.panels import coverage_panel, my_posts_panel

        register_home_panel(my_posts_panel)
        register_home_panel(coverage_panel)
