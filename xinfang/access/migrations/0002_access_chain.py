"""The access log is chained per petition like the events (seq, prev_hash, HMAC, key id, a signed head).

Existing records are chained here, per petition in the order they were written (time, then id), with
the current chain key. They were not chained before, so nothing older is overwritten; from audit 0003 on
the database refuses UPDATE of these rows.
"""

from django.db import migrations, models
from django.utils import timezone


def chain_existing(apps, schema_editor):
    from xinfang.audit import chain as ch
    from xinfang.audit.keys import current_key

    AccessRecord = apps.get_model("access", "AccessRecord")
    ChainHead = apps.get_model("audit", "ChainHead")
    if not AccessRecord.objects.exists():
        return
    key = current_key()
    reg_nos = {}
    current, seq, prev, batch, heads = None, 0, "", [], []

    def close(pid):
        if pid is not None:
            mac = ch.head_mac(key, chain="access", reg_no=reg_nos[pid], last_seq=seq, last_hash=prev, state="")
            heads.append(
                ChainHead(
                    chain="access",
                    petition_id=pid,
                    last_seq=seq,
                    last_hash=prev,
                    state="",
                    key_id=key.id,
                    mac=mac,
                    updated_at=timezone.now(),
                )
            )

    rows = AccessRecord.objects.order_by("petition_id", "at", "pk").select_related("petition").iterator(chunk_size=2000)
    for r in rows:
        if r.petition_id != current:
            close(current)
            current, seq, prev = r.petition_id, 0, ""
            reg_nos[current] = r.petition.reg_no
        seq += 1
        r.seq, r.prev_hash, r.key_id = seq, prev, key.id
        payload = ch.access_payload(
            reg_no=reg_nos[current],
            seq=seq,
            user_id=r.user_id,
            at=r.at,
            fields=r.fields,
            purpose=r.purpose,
            path=r.path,
            via_grant_id=r.via_grant_id,
        )
        r.hash = prev = ch.access_mac(key, r.prev_hash, payload)
        batch.append(r)
        if len(batch) >= 1000:
            AccessRecord.objects.bulk_update(batch, ["seq", "prev_hash", "hash", "key_id"])
            batch = []
    close(current)
    if batch:
        AccessRecord.objects.bulk_update(batch, ["seq", "prev_hash", "hash", "key_id"])
    ChainHead.objects.bulk_create(heads, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("audit", "0002_chain_models"),
    ]

    operations = [
        migrations.AddField(model_name="accessrecord", name="seq", field=models.PositiveIntegerField(null=True, verbose_name="序号")),
        migrations.AddField(model_name="accessrecord", name="prev_hash", field=models.CharField(blank=True, default="", max_length=64)),
        migrations.AddField(model_name="accessrecord", name="hash", field=models.CharField(default="", max_length=64)),
        migrations.AddField(
            model_name="accessrecord", name="key_id", field=models.CharField(default="", max_length=16, verbose_name="签名密钥")
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(model_name="accessrecord", name="seq", field=models.PositiveIntegerField(verbose_name="序号")),
        migrations.AlterField(model_name="accessrecord", name="prev_hash", field=models.CharField(blank=True, max_length=64)),
        migrations.AlterField(model_name="accessrecord", name="hash", field=models.CharField(max_length=64)),
        migrations.AlterField(model_name="accessrecord", name="key_id", field=models.CharField(max_length=16, verbose_name="签名密钥")),
        migrations.AddConstraint(
            model_name="accessrecord", constraint=models.UniqueConstraint(fields=("petition", "seq"), name="access_record_seq_unique")
        ),
    ]
