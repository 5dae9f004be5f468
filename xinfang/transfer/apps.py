from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "xinfang.transfer"
    verbose_name = "导入导出"
