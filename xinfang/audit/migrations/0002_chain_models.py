"""The keyed chain: a seal per event, a signed head per petition and chain, signed checkpoints."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_no_update_delete_triggers"),
        ("petitions", "0004_first_replied_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="EventSeal",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="seal",
                        serialize=False,
                        to="petitions.petitionevent",
                        verbose_name="事件",
                    ),
                ),
                ("key_id", models.CharField(max_length=16, verbose_name="签名密钥")),
                ("state", models.CharField(blank=True, max_length=64, verbose_name="关键字段摘要")),
            ],
            options={"verbose_name": "事件封记", "verbose_name_plural": "事件封记"},
        ),
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "chain",
                    models.CharField(choices=[("event", "信访件事件"), ("access", "身份信息查看记录")], max_length=16, verbose_name="链"),
                ),
                ("last_seq", models.PositiveIntegerField(verbose_name="最后序号")),
                ("last_hash", models.CharField(max_length=64, verbose_name="最后哈希")),
                ("state", models.CharField(blank=True, max_length=64, verbose_name="关键字段摘要")),
                ("key_id", models.CharField(max_length=16, verbose_name="签名密钥")),
                ("mac", models.CharField(max_length=64, verbose_name="链头签名")),
                ("updated_at", models.DateTimeField(verbose_name="更新时间")),
                (
                    "petition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="chain_heads",
                        to="petitions.petition",
                        verbose_name="信访件",
                    ),
                ),
            ],
            options={
                "verbose_name": "链头",
                "verbose_name_plural": "链头",
                "constraints": [models.UniqueConstraint(fields=("chain", "petition"), name="chain_head_unique")],
            },
        ),
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(unique=True, verbose_name="编号")),
                ("created_at", models.DateTimeField(verbose_name="时间")),
                ("created_by", models.CharField(blank=True, max_length=64, verbose_name="生成人")),
                ("key_id", models.CharField(max_length=16, verbose_name="签名密钥")),
                ("prev_mac", models.CharField(blank=True, max_length=64, verbose_name="上一检查点签名")),
                ("petitions", models.PositiveIntegerField(verbose_name="信访件数")),
                ("event_heads", models.PositiveIntegerField(verbose_name="事件链数")),
                ("events", models.PositiveBigIntegerField(verbose_name="事件数")),
                ("access_heads", models.PositiveIntegerField(verbose_name="查看记录链数")),
                ("access_records", models.PositiveBigIntegerField(verbose_name="查看记录数")),
                ("digest", models.CharField(max_length=64, verbose_name="链头摘要")),
                ("entries", models.BinaryField(verbose_name="链头清单")),
                ("mac", models.CharField(max_length=64, verbose_name="签名")),
            ],
            options={"verbose_name": "事件链检查点", "verbose_name_plural": "事件链检查点", "ordering": ["-number"]},
        ),
    ]
