from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "xinfang.reception"
    verbose_name = "接待值班"
