from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "xinfang.messaging"
    verbose_name = "信访人短信告知"

    def ready(self):
        from django.db.models.signals import post_save

        from xinfang.messaging import hooks
        from xinfang.petitions.models import PetitionEvent

        post_save.connect(hooks.event_written, sender=PetitionEvent, dispatch_uid="messaging-event-written")
