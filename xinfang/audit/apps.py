from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _after_migrate(sender, using="default", **kwargs):
    """Put the refusing triggers back (SQLite drops a table's triggers when a migration rebuilds it), and seal
    the chains of an upgraded database once (`xinfang.audit.legacy`)."""
    from django.db import connections

    from xinfang.audit import immutability, legacy

    connection = connections[using]
    if not {"petitions_petitionevent", "audit_eventseal", "access_accessrecord"} <= set(connection.introspection.table_names()):
        return
    immutability.install(connection)
    if legacy.needed():
        legacy.seal_legacy()


class AuditConfig(AppConfig):
    name = "xinfang.audit"
    verbose_name = "审计"

    def ready(self):
        from xinfang.audit.home import checkpoint_panel
        from xinfang.core.home import register_home_panel

        # Once per migrate run, after every app's migrations (the sender is this app only).
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="xinfang.audit.after_migrate")
        register_home_panel(checkpoint_panel)
