"""My cases and added material in the browser, on a phone (390×844) and a laptop (1366×800). Screenshots in
var/screenshots/."""

import json

import pytest

from tests.portal.conftest import drive_to_reply, office, portal_county, submit_petition  # noqa: F401  (fixtures)
from tests.portal.test_portal import PNG

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "13900139000"


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_my_cases_and_material(size, page, phone_page, screenshot, submit_petition, drive_to_reply, settings, tmp_path):  # noqa: F811
    settings.XINFANG_OUTBOX_DIR = tmp_path
    pg = phone_page if size == "phone" else page
    if size == "laptop":
        pg.set_viewport_size({"width": 1366, "height": 800})
    first = submit_petition(phone=PHONE, content="村道损坏，雨天无法通行。")[0]
    drive_to_reply(first)
    second = submit_petition(phone=PHONE, content="小区路灯长期不亮。")[0]
    third = submit_petition(phone=PHONE, content="学校门口交通拥堵。")[0]
    other = submit_petition(phone="13700137000", name="王其他")[0]
    pg.goto("/portal/mine/")
    pg.fill("#mine-send input[name=phone]", PHONE)
    pg.click("#mine-send button")
    pg.wait_for_selector("#mine-sent")
    code = json.loads((tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()[-1])["body"].split("：")[1][:6]
    screenshot(pg, f"mine-start-{size}")
    pg.fill("#mine-verify input[name=sms_code]", code)
    pg.click("#mine-verify button")
    pg.wait_for_selector("#mine-count")
    text = pg.content()
    assert "共 3 件" in text and all(p.reg_no in text for p in (first, second, third)) and other.reg_no not in text
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(pg, f"mine-list-{size}")
    pg.click(f"#case-{second.reg_no} >> text=补充材料")
    pg.wait_for_selector("#material-form")
    (tmp_path / "现场照片.png").write_bytes(PNG)
    pg.set_input_files("#material-form input[type=file]", str(tmp_path / "现场照片.png"))
    pg.fill("#material-form textarea[name=note]", "路灯不亮的夜间照片")
    screenshot(pg, f"material-{size}")
    pg.click("#material-form button[type=submit]")
    pg.wait_for_selector("#messages")
    assert "已收到您补充的1份材料" in pg.content() and "您补充了材料" in pg.content()
    screenshot(pg, f"after-material-{size}")
