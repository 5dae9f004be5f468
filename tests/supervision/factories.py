"""Plain factories for supervision/reception tests: a petition with a stored due time, built with the ORM
(the sweep reads stored times only, so tests set them directly)."""

import itertools

from django.utils import timezone

from xinfang.petitions.models import Category, Petition, Status

_seq = itertools.count(1)


def make_petition(county, *, due_at, status=Status.IN_PROGRESS, handling_unit="dept", region=None, case_leader=None, **extra) -> Petition:
    n = next(_seq) + Petition.objects.count()
    category, _ = Category.objects.get_or_create(code="labour", defaults={"name": "劳动社保"})
    now = timezone.now()
    return Petition.objects.create(
        reg_no=f"T{now.year}-{n:05d}",
        office=county.office,
        year=now.year,
        seq=n,
        query_code_hash="x",
        status=status,
        channel="letter",
        received_at=now,
        nature="request",
        category=category,
        content="反映拖欠工资问题",
        region=region or county.villages[0],
        handling_unit=county.dept if handling_unit == "dept" else handling_unit,
        case_leader=case_leader,
        due_at=due_at,
        handle_due_at=due_at,
        **extra,
    )
