from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "xinfang.api"
    verbose_name = "接口"

    def ready(self):
        from xinfang.api import tokens  # noqa: F401  (signals: a password change ends the user's tokens)
