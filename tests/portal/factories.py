"""Petitions made directly in the database for read-side tests (history for routing, portal views).

Registration itself goes through `petition_register` in the tests that exercise it; these rows
stand for petitions that the lifecycle already moved along.
"""

import itertools
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from xinfang.petitions.models import Category, Petition

_seq = itertools.count(1)


def make_category(code, name, unit=None, keywords=""):
    return Category.objects.get_or_create(code=code, defaults={"name": name, "default_unit": unit, "keywords": keywords})[0]


def make_petition(county, *, category, content="反映问题", handling_unit=None, status="registered", query_code="ABCD2345", **extra):
    n = next(_seq)
    now = timezone.now()
    fields = {
        "reg_no": f"T{now.year}{n:06d}",
        "office": county.office,
        "year": now.year,
        "seq": n,
        "query_code_hash": make_password(query_code),
        "channel": "online",
        "received_at": now - timedelta(days=1),
        "nature": "request",
        "category": category,
        "content": content,
        "region": county.villages[0],
        "handling_unit": handling_unit,
        "status": status,
    }
    fields.update(extra)
    return Petition.objects.create(**fields)
