from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "xinfang.stats"
    verbose_name = "统计分析"

    def ready(self):
        from xinfang.core.home import register_home_panel

        from .home import stats_panel

        register_home_panel(stats_panel)
