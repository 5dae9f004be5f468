"""Issue 14: the dossier (案卷) files each answer under its own heading, embeds its font, is A4, has a Chinese file name and
is the same file when printed again a day later."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests import pdfs
from tests.petitions.helpers import PATHS, act
from xinfang.transfer.dossier import build_dossier

pytestmark = pytest.mark.django_db

TEXTS = {"reply": "处理意见：责成公司七日内发放工资。", "review": "复查意见：维持原处理意见。", "rereview": "复核意见：维持复查意见。"}


@pytest.fixture
def reviewed(register, users):
    """A petition answered three times: 处理意见书, then 复查意见书, then 复核意见书 (distinct texts)."""
    p, _ = register()
    replies = iter(TEXTS.values())
    for action in PATHS["under_rereview"] + ["reply"]:
        p = act(p, action, users, **({"text": next(replies)} if action == "reply" else {}))
    assert p.review_level == 2 and p.reply_text == TEXTS["rereview"]
    return p


def _flat(data: bytes) -> str:
    text = pdfs.text(data)
    if not text:
        pytest.fail("pdftotext (Debian package poppler-utils) is needed to read the dossier back")
    return re.sub(r"\s+", "", text)


def test_each_answer_is_under_its_own_heading(reviewed, users):
    data, _name = build_dossier(actor=users.office, reg_no=reviewed.reg_no)
    text = _flat(data)
    body = text[text.rindex("五、处理意见书与答复") :]
    five = body[: body.index("六、回访与评价")]
    seven = body[body.index("七、复查复核") : body.index("八、归档与附件清单")]
    assert TEXTS["reply"] in five and TEXTS["review"] not in five and TEXTS["rereview"] not in five
    assert "处理意见书" + TEXTS["reply"] in five  # the row is labelled with its document
    assert TEXTS["review"] in seven and TEXTS["rereview"] in seven and TEXTS["reply"] not in seven
    assert "复查意见书" + TEXTS["review"] in seven and "复核意见书" + TEXTS["rereview"] in seven
    assert seven.index("复查意见书") < seven.index("复核意见书")


def test_the_dossier_embeds_its_font_is_a4_and_reprints_the_same(reviewed, users):
    data, name = build_dossier(actor=users.office, reg_no=reviewed.reg_no)
    pdfs.assert_fonts_embedded(data)
    assert pdfs.is_a4(data)
    assert name == f"案卷-{reviewed.reg_no}.pdf"
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        again, _ = build_dossier(actor=users.office, reg_no=reviewed.reg_no)
    assert again == data


def test_the_dossier_download_has_a_chinese_name(client, register, users):
    p, _ = register()
    client.force_login(users.office)
    r = client.get(reverse("transfer:dossier", args=[p.reg_no]))
    assert r.status_code == 200
    assert f"filename*=UTF-8''{quote(f'案卷-{p.reg_no}.pdf')}" in r["Content-Disposition"]
