"""The law's clock: delivery and the review window from it, pause grounds, 当日阅办, consent to a late return."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("petitions", "0004_first_replied_at")]

    operations = [
        # One field, named as the API names it: null until the answer is delivered.
        migrations.RenameField(model_name="petition", old_name="review_window_ends_at", new_name="review_request_due_at"),
        migrations.AddField(
            model_name="petition", name="delivered_at", field=models.DateTimeField(blank=True, null=True, verbose_name="送达时间")
        ),
        migrations.AddField(
            model_name="petition",
            name="delivery_method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("direct", "直接送达"),
                    ("post", "邮寄送达"),
                    ("sms", "短信送达"),
                    ("online", "网上送达"),
                    ("announcement", "公告送达"),
                ],
                max_length=16,
                verbose_name="送达方式",
            ),
        ),
        migrations.AddField(
            model_name="petition", name="pause_ground", field=models.CharField(blank=True, max_length=16, verbose_name="暂停事由")
        ),
        migrations.AddField(
            model_name="petition", name="triage_due_at", field=models.DateTimeField(blank=True, null=True, verbose_name="阅办期限")
        ),
        migrations.AddField(
            model_name="petition", name="triaged_at", field=models.DateTimeField(blank=True, null=True, verbose_name="阅办时间")
        ),
        migrations.AddField(
            model_name="petition",
            name="return_consented_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="同意退回时间"),
        ),
        migrations.CreateModel(
            name="PauseGround",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=16, unique=True, verbose_name="代码")),
                ("label", models.CharField(max_length=40, verbose_name="事由")),
                ("max_days", models.PositiveSmallIntegerField(verbose_name="最长暂停天数")),
                ("roles", models.CharField(max_length=100, verbose_name="可暂停的角色（逗号分隔）")),
                ("legal_bound", models.CharField(blank=True, max_length=300, verbose_name="法定依据与上限")),
            ],
            options={"verbose_name": "暂停计时事由", "verbose_name_plural": "暂停计时事由", "ordering": ["pk"]},
        ),
    ]
