"""Writes every notice and form (.docx and .pdf) to $XF_LOOK_DIR for looking at (docs/notices.md); skipped otherwise."""

import os
from pathlib import Path

import pytest
from django.test import Client

from .helpers import act, drive

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(not os.environ.get("XF_LOOK_DIR"), reason="XF_LOOK_DIR not set")]


def test_write_every_document(register, users):
    out = Path(os.environ["XF_LOOK_DIR"])
    out.mkdir(parents=True, exist_ok=True)
    c = Client()
    c.force_login(users.office)
    cases = {
        "declined": drive(register, users, "declined"),
        "forwarded": drive(register, users, "forwarded"),
        "accepted": drive(register, users, "awaiting_instruction"),
    }
    p = drive(register, users, "in_progress")
    p = act(p, "extend", users, days=15, reason="需调取工资台账")
    for step in ("report_result", "approve_result", "reply", "request_review", "reply", "request_rereview", "reply"):
        p = act(p, step, users)
    cases["full"] = p
    for petition in cases.values():
        for code in c.get(f"/api/v1/petitions/{petition.reg_no}/documents/").json():
            kind = code["docx"].rsplit("/", 1)[1].removesuffix(".docx")
            for fmt in ("docx", "pdf"):
                r = c.get(f"/api/v1/petitions/{petition.reg_no}/documents/{kind}.{fmt}")
                assert r.status_code == 200, (kind, fmt)
                (out / f"{kind}-{petition.pk}.{fmt}").write_bytes(r.content)
