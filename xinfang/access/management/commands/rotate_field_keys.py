"""`manage.py rotate_field_keys [--rehash] [--dry-run]`: re-encrypt every encrypted identity field with the
newest key of XINFANG_FIELD_KEYS (the first one), so the old keys can then be removed.

Steps (docs/security.md): put the new key first in XINFANG_FIELD_KEYS, keep the old ones after it,
restart, run this command, check it reports 0 left on old keys, then drop the old keys.
`--rehash` also recomputes the keyed hashes (after XINFANG_HASH_KEY changed). The hashes are key fields of the
event chain (xinfang.audit.chain): each petition whose hashes changed gets an `identity_rehash` event, so the
chain records the change instead of reporting an edit behind the services.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from xinfang.core.crypto import PREFIX, EncryptedTextField, keyed_hash, rotate
from xinfang.petitions.event_types import EventType

HASHED = {"id_hash": "id_number", "phone_hash": "phone", "name_hash": "name"}


def encrypted_fields() -> dict:
    """{model: [field names]} of every EncryptedTextField in the project."""
    found = {}
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found[model] = names
    return found


def _raw_rows(model, names, start_pk, batch):
    """Raw stored values (ciphertext), bypassing from_db_value."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk.column
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {cols} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s", [start_pk, batch])
        return cursor.fetchall()


class Command(BaseCommand):
    help = "用最新密钥重新加密全部身份字段（密钥轮换）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--rehash", action="store_true", help="同时按当前 XINFANG_HASH_KEY 重算检索哈希")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        from django.db import connection

        total = 0
        for model, names in encrypted_fields().items():
            table = connection.ops.quote_name(model._meta.db_table)
            pk_col = model._meta.pk.column
            hash_fields = {h: src for h, src in HASHED.items() if options["rehash"] and any(f.name == h for f in model._meta.fields)}
            last_pk, count = 0, 0
            while True:
                rows = _raw_rows(model, names, last_pk, options["batch"])
                if not rows:
                    break
                with transaction.atomic():
                    for row in rows:
                        last_pk = row[0]
                        values = dict(zip(names, row[1:], strict=True))
                        new = {n: rotate(v) for n, v in values.items() if v}
                        sets = {model._meta.get_field(n).column: v for n, v in new.items()}
                        if hash_fields:
                            plain = {
                                n: (model._meta.get_field(n).from_db_value(v, None, connection) if v else "") for n, v in values.items()
                            }
                            for h, src in hash_fields.items():
                                sets[h] = keyed_hash(plain.get(src, ""))
                        if sets and not options["dry_run"]:
                            assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in sets)
                            with connection.cursor() as cursor:
                                cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk_col} = %s", [*sets.values(), row[0]])
                        count += 1
            total += count
            self.stdout.write(f"{model._meta.label}: {count} 行（字段 {', '.join(names)}）")
        verb = "将重新加密" if options["dry_run"] else "已用最新密钥重新加密"
        self.stdout.write(self.style.SUCCESS(f"{verb} {total} 行；前缀 {PREFIX}"))
        if options["rehash"] and not options["dry_run"]:
            sealed = record_rehash_events(batch=options["batch"])
            self.stdout.write(f"已为 {sealed} 件检索哈希有变化的信访件记入事件（identity_rehash）")


def record_rehash_events(batch: int = 500) -> int:
    """One `identity_rehash` event per petition whose sealed state no longer matches (the hashes changed)."""
    from xinfang.audit.chain import states_for
    from xinfang.audit.models import Chain, ChainHead
    from xinfang.petitions.events import record_event
    from xinfang.petitions.models import Petition, Petitioner

    ids = list(Petitioner.objects.order_by("petition_id").values_list("petition_id", flat=True).distinct())
    done = 0
    for k in range(0, len(ids), batch):
        chunk = ids[k : k + batch]
        with transaction.atomic():
            petitions = list(Petition.objects.select_for_update().filter(pk__in=chunk).order_by("pk"))
            heads = dict(ChainHead.objects.filter(chain=Chain.EVENTS, petition_id__in=chunk).values_list("petition_id", "state"))
            states = states_for(chunk)
            for p in petitions:
                if p.pk in heads and heads[p.pk] != states[p.pk]:
                    record_event(
                        petition=p,
                        action=EventType.IDENTITY_REHASH,
                        actor_label="系统（密钥轮换）",
                        from_status=p.status,
                        to_status=p.status,
                        data={"reason": "XINFANG_HASH_KEY 更换后重算身份检索哈希"},
                    )
                    done += 1
    return done
