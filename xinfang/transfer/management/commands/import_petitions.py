"""`manage.py import_petitions FILE --source NAME --user USERNAME [--header-row N] [--dry-run] [--map field=header ...]
[--value field:台账写法=code ...]`

Runs the same job as the page (upload → mapping → dry run → all-or-nothing import), synchronously,
with a tqdm progress bar. The mapping starts from the one saved for the source (or headers named like
our fields); `--map` overrides single fields. Exit status 1 when the dry run finds errors or the import fails.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from xinfang.core.errors import DomainError
from xinfang.org.models import User
from xinfang.transfer import importers, services
from xinfang.transfer.models import JobStatus


class Command(BaseCommand):
    help = "导入历史信访台账（.xlsx/.csv）：先逐行校验，全部通过后整体导入（任何一行失败则不导入）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="来源名称（列映射按来源保存）")
        parser.add_argument("--user", required=True, help="导入人账号（管理员、信访办或登记员）")
        parser.add_argument("--map", action="append", default=[], metavar="字段=表头", help="覆盖某个字段的列映射")
        parser.add_argument("--header-row", type=int, help="表头所在行（默认自动识别，跳过标题行）")
        parser.add_argument("--value", action="append", default=[], metavar="字段:写法=代码", help="取值对应，如 status:是=closed")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不导入")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **o):
        actor = User.objects.filter(username=o["user"]).first()
        if actor is None:
            raise CommandError(f"没有账号 {o['user']}")
        path = o["file"]
        if not os.path.exists(path):
            raise CommandError(f"文件不存在：{path}")
        with open(path, "rb") as fh:
            data = fh.read()
        try:
            job = services.import_job_create(actor=actor, source=o["source"], filename=os.path.basename(path), data=data)
            if o["header_row"]:
                job = services.import_job_set_header_row(actor=actor, job_id=job.pk, header_row=o["header_row"])
            mapping = dict(job.mapping)
            for item in o["map"]:
                key, _, header = item.partition("=")
                if key not in importers.FIELD_BY_KEY:
                    raise CommandError(f"未知字段 {key}（可用：{', '.join(importers.FIELD_BY_KEY)}）")
                mapping[key] = header
            values = {k: dict(v) for k, v in job.values.items()}
            for item in o["value"]:
                key, _, rest = item.partition(":")
                word, _, code = rest.partition("=")
                values.setdefault(key, {})[word] = code
            services.import_job_set_mapping(actor=actor, job_id=job.pk, mapping=mapping, values=values)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"导入任务 #{job.pk}：{job.original_name}")
        for f in importers.FIELDS:
            if mapping.get(f.key):
                self.stdout.write(f"  {f.label} ← {mapping[f.key]}")

        job = services.import_job_validate(job_id=job.pk, on_progress=self._bar("校验", o))
        self._close()
        if job.status != JobStatus.VALIDATED:
            for e in job.errors[:50]:
                self.stderr.write(f"  第{e['row']}行 [{e['column']}] {e['reason']}")
            if job.error_count > 50:
                self.stderr.write(f"  …… 共 {job.error_count} 处错误")
            raise CommandError(job.message or "校验未通过")
        self.stdout.write(job.message)
        if o["dry_run"]:
            self.stdout.write("试导入完成（--dry-run），未写入信访件。")
            return
        services.import_job_start(actor=actor, job_id=job.pk)
        job = services.import_job_run(job_id=job.pk, on_progress=self._bar("导入", o))
        self._close()
        if job.status != JobStatus.DONE:
            raise CommandError(job.message)
        self.stdout.write(self.style.SUCCESS(job.message))

    _pbar = None

    def _bar(self, label, o):
        if o["no_progress"]:
            return None

        def update(done, total):
            if self._pbar is None:
                self._pbar = tqdm(total=total, desc=label, unit="行")
            self._pbar.update(done - self._pbar.n)

        return update

    def _close(self):
        if self._pbar is not None:
            self._pbar.close()
            self._pbar = None
