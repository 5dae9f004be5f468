from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "xinfang.knowledge"
    verbose_name = "应知应会与分办建议"

    def ready(self):
        from xinfang.core.home import register_home_panel
        from xinfang.knowledge.panels import knowledge_panel

        register_home_panel(knowledge_panel)
