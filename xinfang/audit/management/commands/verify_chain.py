"""`manage.py verify_chain [--reg-no N ...]`: recompute every petition's event hash chain and
report the first broken link of each petition. Exits non-zero when any chain is broken."""

from django.core.management.base import BaseCommand, CommandError

from xinfang.audit.chain import verify_chains
from xinfang.petitions.models import Petition, PetitionEvent


class Command(BaseCommand):
    help = "校验信访件事件哈希链，报告每件第一个断裂处"

    def add_arguments(self, parser):
        parser.add_argument("--reg-no", action="append", default=[], help="只校验这些登记编号（可重复）")

    def handle(self, *args, **options):
        petitions = Petition.objects.filter(reg_no__in=options["reg_no"]) if options["reg_no"] else None
        if petitions is not None and petitions.count() != len(set(options["reg_no"])):
            raise CommandError("有登记编号不存在")
        broken = list(verify_chains(petitions))
        total = (petitions if petitions is not None else Petition.objects.all()).count()
        events = PetitionEvent.objects.filter(petition__in=petitions).count() if petitions is not None else PetitionEvent.objects.count()
        for link in broken:
            self.stdout.write(f"断裂：{link.reg_no} 第{link.seq}条事件（id={link.event_id}）：{link.problem}")
        if broken:
            raise CommandError(f"{len(broken)} 件信访件的事件链被破坏（共校验 {total} 件、{events} 条事件）")
        self.stdout.write(self.style.SUCCESS(f"事件链完好：{total} 件信访件，{events} 条事件"))
