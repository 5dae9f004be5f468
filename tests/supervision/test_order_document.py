"""督办单 as a document: A4, the unit addressed, dated by the order (a reprint a day later is the same file)."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from docx import Document
from docx.shared import Mm

from xinfang.core import gongwen
from xinfang.supervision import documents

from .factories import make_petition
from .test_services import _order

pytestmark = pytest.mark.django_db


def test_order_document_reads_back_and_reprints_identically(client, county, people):
    p = make_petition(county, due_at=timezone.now() + timedelta(days=10))
    order = _order(people, p)
    client.force_login(people.office)
    r = client.get(f"/supervision/orders/{order.pk}/order.docx")
    assert r.status_code == 200 and "filename*=UTF-8''%E7%9D%A3%E5%8A%9E%E5%8D%95" in r["Content-Disposition"]
    doc = Document(io.BytesIO(r.content))
    assert abs(doc.sections[0].page_width - Mm(210)) < Mm(0.5)
    text = "\n".join([x.text for x in doc.paragraphs] + [c.text for row in doc.tables[0].rows for c in row.cells])
    assert "信访事项督办单" in text and f"{order.unit.name}：" in text and "请于三日内报告进展" in text
    assert gongwen.cn_date(timezone.localdate()) in text
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        client.force_login(people.office)
        assert client.get(f"/supervision/orders/{order.pk}/order.docx").content == r.content
        assert client.get(f"/supervision/orders/{order.pk}/order.pdf").content.startswith(b"%PDF")
    if os.environ.get("XF_LOOK_DIR"):  # docs/notices.md: write it out for looking at
        out = Path(os.environ["XF_LOOK_DIR"])
        out.mkdir(parents=True, exist_ok=True)
        (out / "supervision_order.docx").write_bytes(r.content)
        (out / "supervision_order.pdf").write_bytes(gongwen.to_pdf(documents.order_notice(order)))
