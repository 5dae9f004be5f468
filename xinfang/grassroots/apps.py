from django.apps import AppConfig


class GrassrootsConfig(AppConfig):
    name = "xinfang.grassroots"
    verbose_name = "基层工作"
