from django.core.management.base import BaseCommand

from xinfang.knowledge import routing


class Command(BaseCommand):
    help = "训练分办建议模型（问题类别、承办单位），报告留出集准确率；历史不足时使用关键词规则"

    def handle(self, *args, **options):
        run, ev = routing.train()
        for note in ev.notes:
            self.stdout.write(note)
        self.stdout.write(_report(ev))
        if run.model_path:
            self.stdout.write(f"模型已保存：{run.model_path}")


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _report(ev) -> str:
    return (
        f"方法：{'分类模型' if ev.method == 'classifier' else '关键词规则'}；样本 {ev.samples} 件，留出 {ev.test_samples} 件；"
        f"类别准确率 {_pct(ev.category_accuracy)}（前三 {_pct(ev.category_top3)}）；"
        f"承办单位准确率 {_pct(ev.unit_accuracy)}（前三 {_pct(ev.unit_top3)}）"
    )
