"""Browser test of the import pages: upload, map, dry run with a progress bar, import, reload shows the same job; phone sizes."""

import re

import pytest

from tests.e2e.conftest import login
from xinfang.benchmarks import legacy
from xinfang.org.models import Role
from xinfang.petitions import timelimits
from xinfang.petitions.models import Category, Petition
from xinfang.transfer import tasks

pytestmark = pytest.mark.django_db(transaction=True)


def _ledger(n, prefix="旧", changes=None):
    rows = legacy.register_rows(n, categories=["劳动社保"], regions=["第1镇", "2镇2村"], units=["测试县人社局"], prefix=prefix)
    for (i, col), value in (changes or {}).items():
        rows[i][col] = value
    return legacy.to_csv(rows)


@pytest.fixture(autouse=True)
def _import_in_request_on_shared_memory_sqlite(monkeypatch):
    """The test runner's SQLite is a shared-cache in-memory database, which locks whole tables while the
    import's transactions are open (a file database in WAL mode does not): the page's polling then races the
    background thread ("database table is locked"). There both phases run inside the request (the same code,
    synchronously); on PostgreSQL they use the real background thread."""
    from django.db import connection

    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"]):
        monkeypatch.setattr(tasks, "start", tasks.run_import_phase)


@pytest.fixture
def clerk(county, make_user):
    timelimits.time_limits_seed()  # a transactional test flushes the seeded time limits
    timelimits.clear_cache()
    Category.objects.create(code="labour", name="劳动社保", default_unit=county.dept)
    return make_user(Role.CLERK, username="trclerk", name="王登记")


def _upload(pg, source, data, name="台账.csv"):
    pg.goto("/transfer/")
    pg.fill("input[name=source]", source)
    pg.set_input_files("input[name=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    pg.click("#upload-form button[type=submit]")
    pg.wait_for_load_state("networkidle")


def _county_register(n=40):
    """A register as a county keeps it: a merged title on row 1, a 填报单位 line, the header on row 3, short unit names,
    是否办结 是/否 and a 合计 row."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["测试县信访局2019年度来信来访登记台账"] + [None] * 8)
    ws.append(["填报单位：测试县信访局", None, None, None, None, None, "填报日期：2020年1月6日", None, None])
    ws.append(["序号", "登记编号", "登记日期", "姓名", "问题类别", "问题发生地", "反映问题", "责任单位", "是否办结"])
    for i in range(1, n + 1):
        ws.append(
            [
                i,
                f"AH2019-{i:05d}",
                f"2019年{1 + i % 12}月{1 + i % 27}日",
                f"张{i}",
                "劳动社保",
                "第1镇" if i % 2 else "第一镇",
                "拖欠工资",
                "县人社局",
                "是" if i % 4 else "否",
            ]
        )
    ws.append(["合计", None, None, None, None, None, f"{n}件", None, None])
    ws.merge_cells("A1:I1")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload_xlsx(pg, source, data, name="2019年台账.xlsx"):
    pg.goto("/transfer/")
    pg.fill("input[name=source]", source)
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    pg.set_input_files("input[name=file]", files=[{"name": name, "mimeType": mime, "buffer": data}])
    pg.click("#upload-form button[type=submit]")
    pg.wait_for_load_state("networkidle")


def _wizard(pg, screenshot, prefix):
    """Header row (detected, then chosen again), columns, values (accepting the suggestions), dry run with the preview."""
    assert re.search(r"/transfer/import/\d+/mapping/$", pg.url)
    assert pg.locator("#header-row-now").inner_text() == "3"  # the title and the 填报单位 line are skipped
    assert pg.locator("#map-legacy_reg_no").input_value() == "登记编号"
    screenshot(pg, f"{prefix}-header-and-columns")
    pg.check("input[name=header_row][value='1']")  # the clerk tries the title row, sees it is wrong, goes back
    pg.click("#use-header-row")
    pg.wait_for_load_state("domcontentloaded")
    assert pg.locator("#header-row-now").inner_text() == "1"
    pg.check("input[name=header_row][value='3']")
    pg.click("#use-header-row")
    pg.wait_for_load_state("domcontentloaded")
    assert pg.locator("#map-content").input_value() == "反映问题"
    pg.click("#save-mapping")
    pg.wait_for_url(re.compile(r"/values/$"))
    assert pg.locator("#values-status").count() == 1 and pg.locator("#values-handling_unit").count() == 1
    status_select = pg.locator("#values-status select").first
    assert status_select.input_value() in ("closed", "in_progress")
    screenshot(pg, f"{prefix}-values")
    pg.click("#save-values")
    pg.wait_for_url(re.compile(r"/transfer/import/\d+/$"))
    pg.wait_for_selector("#run-import", timeout=60_000)  # the panel polls until the dry run is done
    effects = pg.locator("#import-effects").inner_text()
    assert "导入后会怎样" in effects and "历史待办" in effects and "本年）各项统计不变" in effects
    screenshot(pg, f"{prefix}-preview")


def test_import_page_header_row_values_and_preview_laptop(page, screenshot, clerk):
    login(page, "trclerk")
    page.goto("/transfer/")
    assert page.locator("h1").inner_text() == "导入历史台账"
    screenshot(page, "index")
    _upload_xlsx(page, "县信访局2019年台账", _county_register(40))
    _wizard(page, screenshot, "laptop")
    job_url = page.url
    page.click("#run-import")
    page.wait_for_load_state("domcontentloaded")
    page.wait_for_selector("#job-status:has-text('已导入')", timeout=120_000)
    assert page.locator("#job-count").inner_text().startswith("40 / 40")
    screenshot(page, "done")
    page.reload()  # the page survives a reload and shows the same job
    assert page.url == job_url and "已导入40件历史记录" in page.locator("#job-message").inner_text()
    assert Petition.objects.filter(imported=True, historical=True).count() == 40


def test_import_page_header_row_values_and_preview_on_a_phone(phone_page, screenshot, clerk):
    login(phone_page, "trclerk")
    _upload_xlsx(phone_page, "县信访局2019年台账", _county_register(12))
    _wizard(phone_page, screenshot, "phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"


def test_import_row_errors_on_a_phone(phone_page, screenshot, clerk):
    login(phone_page, "trclerk")
    phone_page.goto("/transfer/")
    screenshot(phone_page, "index")
    bad = _ledger(5, changes={(1, 1): "去年春天", (3, 7): "火星类"})
    _upload(phone_page, "乡镇台账", bad)
    phone_page.click("#save-mapping")
    phone_page.wait_for_url(re.compile(r"/values/$"))
    phone_page.select_option("#values-category select >> nth=-1", "")  # the unknown category stays unmapped
    phone_page.click("#save-values")
    phone_page.wait_for_selector("#job-errors", timeout=60_000)
    text = phone_page.locator("#job-errors").inner_text()
    assert "第 3 行" in text and "日期无法识别" in text
    assert "第 5 行" in text and "“火星类”未对应到系统取值" in text
    assert phone_page.locator("#run-import").count() == 0  # nothing can be imported while rows are wrong
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    screenshot(phone_page, "errors")
    assert Petition.objects.count() == 0
