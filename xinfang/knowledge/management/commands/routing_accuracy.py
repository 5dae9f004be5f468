from django.core.management.base import BaseCommand

from xinfang.knowledge import routing
from xinfang.knowledge.management.commands.train_routing import _report


class Command(BaseCommand):
    help = "在留出的历史信访件上测量分办建议的准确率（不保存模型）"

    def add_arguments(self, parser):
        parser.add_argument("--test-size", type=float, default=0.2, help="留出比例，默认 0.2")

    def handle(self, *args, test_size=0.2, **options):
        contents, categories, units = routing.history()
        ev = routing.evaluate(contents, categories, units, test_size=test_size)
        for note in ev.notes:
            self.stdout.write(note)
        self.stdout.write(_report(ev))
