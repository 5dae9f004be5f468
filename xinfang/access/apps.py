from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "xinfang.access"
    verbose_name = "访问控制"

    def ready(self):
        from xinfang.access.home import access_panel
        from xinfang.core.home import register_home_panel

        register_home_panel(access_panel)

        from django.db.models.signals import post_save

        from xinfang.access.models import RespondentMatch, RespondentMatchClearance
        from xinfang.petitions.models import Respondent

        # The cached respondent blocks (policy.blocked_petition_ids) follow every saved row; bulk writes and updates
        # call respondents_changed themselves (access.services).
        for model in (Respondent, RespondentMatch, RespondentMatchClearance):
            post_save.connect(_changed, sender=model, dispatch_uid=f"respondent-block-{model.__name__}")


def _changed(**kwargs):
    from xinfang.access.policy import respondents_changed

    respondents_changed()
