from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "xinfang.portal"
    verbose_name = "群众门户"
