from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinfang.core"
    verbose_name = "公共"

    def ready(self):
        from xinfang.core import checks  # noqa: F401  (registers the production key check)
