"""Browser test of the import pages: upload, map, dry run with a progress bar, import, reload shows the same job; phone sizes."""

import re

import pytest

from tests.e2e.conftest import login
from xinfang.benchmarks import legacy
from xinfang.org.models import Role
from xinfang.petitions import timelimits
from xinfang.petitions.models import Category, Petition
from xinfang.transfer import tasks
from xinfang.transfer.models import ImportJob

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


def test_import_page_with_progress_bar_laptop(page, screenshot, clerk):
    login(page, "trclerk")
    page.goto("/transfer/")
    assert page.locator("h1").inner_text() == "导入历史台账"
    screenshot(page, "index")

    _upload(page, "2019-2023年县信访局台账", _ledger(1500))
    assert re.search(r"/transfer/import/\d+/mapping/$", page.url)
    assert page.locator("#map-legacy_reg_no").input_value() == "登记编号"  # recognised header
    assert page.locator("#map-content").input_value() == "反映问题"
    screenshot(page, "mapping")
    page.click("form.tr-mapping button[type=submit]")
    page.wait_for_url(re.compile(r"/transfer/import/\d+/$"))
    job_url = page.url
    page.wait_for_selector("#run-import", timeout=60_000)  # the panel polls until the dry run is done
    assert "全部通过校验" in page.locator("#job-message").inner_text()
    assert page.locator("#job-progress").get_attribute("value") == "100"
    screenshot(page, "validated")

    page.click("#run-import")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#job-progress").count() == 1
    screenshot(page, "importing", full_page=False)
    page.wait_for_selector("#job-status:has-text('已导入')", timeout=120_000)
    assert page.locator("#job-count").inner_text().startswith("1500 / 1500")
    screenshot(page, "done")

    page.reload()  # the page survives a reload and shows the same job
    assert page.url == job_url
    assert "已导入1500件" in page.locator("#job-message").inner_text()
    job = ImportJob.objects.get()
    assert job_url.endswith(f"/transfer/import/{job.pk}/")
    assert Petition.objects.filter(imported=True).count() == 1500


def test_import_row_errors_on_a_phone(phone_page, screenshot, clerk):
    login(phone_page, "trclerk")
    phone_page.goto("/transfer/")
    screenshot(phone_page, "index")
    bad = _ledger(5, changes={(1, 1): "去年春天", (3, 8): "火星"})
    _upload(phone_page, "乡镇台账", bad)
    screenshot(phone_page, "mapping")
    phone_page.click("form.tr-mapping button[type=submit]")
    phone_page.wait_for_selector("#job-errors", timeout=60_000)
    text = phone_page.locator("#job-errors").inner_text()
    assert "第 3 行" in text and "日期无法识别" in text
    assert "第 5 行" in text and "系统中没有该地名：“火星”" in text
    assert phone_page.locator("#run-import").count() == 0  # nothing can be imported while rows are wrong
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    screenshot(phone_page, "errors")
    assert Petition.objects.count() == 0
