from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "短信告知：重试到期的发送、拉取送达回执、告知复查/复核申请期限届满（每分钟，cron 或 Celery beat）"

    def handle(self, *args, **options):
        from xinfang.messaging import services

        result = services.retry_due()
        self.stdout.write(f"重试 {result['retried']} 条，回执 {result['reports']} 条，期限届满告知 {result['windows']} 条")
