from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "xinfang.petitions"
    verbose_name = "信访件"

    def ready(self):
        from xinfang.core.home import register_home_panel
        from xinfang.petitions.home import worklist_panel

        register_home_panel(worklist_panel)
