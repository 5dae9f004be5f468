"""`manage.py checkpoint [--export DIR]`: sign a checkpoint over every chain head (daily, from cron), or
export an existing one (`--number N --export DIR`) as JSON (every head) and a printable PDF and text page."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.audit import checkpoints
from xinfang.audit.keys import ChainKeyError
from xinfang.audit.models import Checkpoint


class Command(BaseCommand):
    help = "生成每日事件链检查点（对全部链头签名），或导出检查点（JSON 与可打印的 PDF/文本）以便存档、上报"

    def add_arguments(self, parser):
        parser.add_argument("--export", metavar="DIR", help="把检查点写成 checkpoint-<编号>.json / .pdf / .txt")
        parser.add_argument("--number", type=int, help="导出已有的这一号检查点（不新生成）")
        parser.add_argument("--by", default="cron", help="生成人（写入检查点）")

    def handle(self, *args, export=None, number=None, by="cron", **options):
        if number is not None:
            cp = Checkpoint.objects.filter(number=number).first()
            if cp is None:
                raise CommandError(f"没有第 {number} 号检查点")
            if not export:
                raise CommandError("导出已有检查点请同时给出 --export 目录")
        else:
            try:
                cp = checkpoints.create(created_by=by)
            except checkpoints.CheckpointRefused as exc:
                for problem in exc.problems[:100]:
                    self.stdout.write(f"异常：{problem}")
                raise CommandError(f"拒绝生成检查点：{len(exc.problems)} 处链头异常，请先运行 manage.py verify_chain 核查") from None
            except ChainKeyError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                self.style.SUCCESS(
                    f"已生成检查点 #{cp.number}：{cp.petitions} 件信访件，{cp.events} 条事件，{cp.access_records} 条查看记录；"
                    f"签名 {checkpoints.fingerprint(cp.mac)}"
                )
            )
        if export:
            folder = Path(export)
            folder.mkdir(parents=True, exist_ok=True)
            stem = folder / f"checkpoint-{cp.number}"
            with open(f"{stem}.json", "w", encoding="utf-8") as out:
                checkpoints.export_json(cp, out)
            Path(f"{stem}.txt").write_text(checkpoints.export_text(cp), encoding="utf-8")
            Path(f"{stem}.pdf").write_bytes(checkpoints.export_pdf(cp))
            self.stdout.write(f"已导出：{stem}.json、{stem}.pdf、{stem}.txt")
