from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "xinfang.access"
    verbose_name = "访问控制"
