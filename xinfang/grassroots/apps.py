from django.apps import AppConfig


class GrassrootsConfig(AppConfig):
    name = "xinfang.grassroots"
    verbose_name = "基层工作"

    def ready(self):
        from xinfang.core.home import register_home_panel
        from xinfang.grassroots.home import grassroots_panel

        register_home_panel(grassroots_panel)
