from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "xinfang.safety"
    verbose_name = "校园安全"
