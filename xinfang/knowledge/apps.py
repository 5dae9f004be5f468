from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "xinfang.knowledge"
    verbose_name = "应知应会与分办建议"
