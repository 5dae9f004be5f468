"""Registers in the shapes counties keep them, made here with openpyxl (title rows, merged cells, 序号, 登记日期 in
several formats, blank lines, subtotal rows), each imported with only the choices a clerk would make; and a
3,000-row 2019 register that leaves the office's worklists and this year's figures as they were."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook

from xinfang.benchmarks import legacy
from xinfang.petitions import selectors as petition_selectors
from xinfang.petitions.models import Petition, Status
from xinfang.stats import selectors as stats_selectors
from xinfang.transfer import importers, services
from xinfang.transfer.models import JobStatus

pytestmark = pytest.mark.django_db


def _xlsx(rows, merges=(), widths=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for rng in merges:
        ws.merge_cells(rng)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _clerk_imports(actor, data, name, *, source, header_row=None, columns=None, values=None):
    """What a clerk does on the pages: accept the detected header row (or pick one), accept the guessed columns (or
    set a few), accept every pre-selected value (or change a few), dry run, confirm."""
    job = services.import_job_create(actor=actor, source=source, filename=name, data=data)
    if header_row is not None:
        job = services.import_job_set_header_row(actor=actor, job_id=job.pk, header_row=header_row)
    mapping = {**job.mapping, **(columns or {})}
    services.import_job_set_mapping(actor=actor, job_id=job.pk, mapping=mapping, validate=False)
    choices = services.import_job_value_choices(actor=actor, job_id=job.pk)
    chosen = {k: {i["raw"]: i["code"] for i in items} for k, items in choices.items()}
    for key, pairs in (values or {}).items():
        chosen.setdefault(key, {}).update(pairs)
    services.import_job_set_values(actor=actor, job_id=job.pk, values=chosen)
    job = services.import_job_validate(job_id=job.pk)
    assert job.status == JobStatus.VALIDATED, (job.message, job.errors[:5])
    services.import_job_start(actor=actor, job_id=job.pk)
    done = services.import_job_run(job_id=job.pk)
    assert done.status == JobStatus.DONE, done.message
    return done, choices


def _by_no(source_prefix=""):
    return {
        p.legacy_reg_no: p
        for p in Petition.objects.filter(legacy_reg_no__startswith=source_prefix).select_related("region", "handling_unit")
    }


def test_shape_1_merged_title_units_line_serial_numbers_chinese_dates_subtotals_and_yes_no(users, county, category):
    """A 县信访局 register: a merged title, a 填报单位 line, a merged blank, 序号, 登记日期 as 2019年3月5日, 是否办结 是/否,
    short unit names, monthly 小计 rows and a 合计 row, blank lines between months."""
    header = ["序号", "登记编号", "登记日期", "姓名", "联系电话", "问题类别", "问题发生地", "反映问题", "责任单位", "是否办结", "办结日期"]
    rows = [
        ["测试县信访局2019年度来信来访登记台账"] + [None] * 10,
        ["填报单位：测试县信访局（盖章）", None, None, None, None, None, None, None, "填报日期：2020年1月6日", None, None],
        [None] * 11,
        header,
        [1, "XF2019-001", "2019年3月5日", "张一", "13905510001", "劳动社保", "第1镇", "拖欠工资三个月", "县人社局", "是", "2019年4月20日"],
        [2, "XF2019-002", "2019年3月18日", "李二", "13905510002", "劳动社保", "1镇2村", "社保断缴", "人社局", "否", None],
        ["小计", None, None, None, None, None, None, "2件", None, None, None],
        [None] * 11,
        [3, "XF2019-003", "2019年4月2日", "王三", None, "劳动社保", "第2镇", "工伤认定", "第2镇政府", "是", "2019年5月9日"],
        ["合计", None, None, None, None, None, None, "3件", None, None, None],
        ["制表人：赵某"] + [None] * 10,
    ]
    data = _xlsx(rows, merges=["A1:K1", "A2:H2", "I2:K2"])
    job, choices = _clerk_imports(users.clerk, data, "2019台账.xlsx", source="县信访局2019")
    assert job.header_row == 4 and job.imported_count == 3
    assert {tuple(r) for r in job.skipped} >= {(7, "合计/小计行"), (10, "合计/小计行"), (11, "说明行（只有一格有内容）")}
    units = {i["raw"]: i["code"] for i in choices["handling_unit"]}
    assert units == {"县人社局": "dept-hr", "人社局": "dept-hr", "第2镇政府": "twp-2"}
    assert {i["raw"]: i["code"] for i in choices["status"]} == {"是": importers.CLOSED, "否": Status.IN_PROGRESS}
    got = _by_no("XF2019")
    assert got["XF2019-001"].status == Status.ARCHIVED and got["XF2019-001"].handling_unit == county.dept
    assert timezone.localtime(got["XF2019-001"].replied_at).date() == date(2019, 4, 20)
    assert got["XF2019-002"].status == Status.IN_PROGRESS and got["XF2019-002"].historical and got["XF2019-002"].due_at is None
    assert got["XF2019-003"].handling_unit == county.township_unit2
    assert timezone.localtime(got["XF2019-003"].received_at).date() == date(2019, 4, 2)


def test_shape_2_gbk_csv_without_a_place_column_and_slash_dates(users, county, category):
    """A township's CSV in GBK: no 问题发生地 at all (the county, each row with a warning), dates 2019/3/5 and 2019.3.5."""
    text = (
        "某镇信访登记簿\n"
        "编号,来信来访日期,信访形式,信访人,电话,类别,反映内容,办理情况\n"
        "1,2019/3/5,来访,周一,13905510011,劳动社保,要求补发工资,已办结\n"
        "2,2019.3.9,来信,吴二,,劳动社保,反映企业欠薪,在办\n"
        "\n"
        "3,20190312,电话,郑三,13905510013,劳动社保,咨询社保政策,已答复\n"
    )
    job, _choices = _clerk_imports(users.clerk, text.encode("gb18030"), "镇台账.csv", source="第1镇2019")
    assert job.header_row == 2 and job.imported_count == 3 and job.warning_count == 4
    assert sum("按全县登记" in w["reason"] for w in job.warnings) == 3
    assert any(w["row"] == 4 and "待交办" in w["reason"] for w in job.warnings)  # 在办 without a unit
    ps = list(Petition.objects.filter(legacy_reg_no__in=["1", "2", "3"]).order_by("legacy_reg_no"))
    assert {p.region for p in ps} == {county.region}
    assert [p.channel for p in ps] == ["visit", "letter", "phone"]
    assert [p.status for p in ps] == [Status.ARCHIVED, Status.ACCEPTED, Status.ARCHIVED]


def test_shape_3_excel_dates_and_a_unit_merged_down_over_its_rows(users, county, category):
    """Real Excel date cells, the title merged on row 1, and 承办单位 merged down over the petitions it handled."""
    rows = [
        ["2019年信访件办理台账", None, None, None, None, None, None],
        ["件号", "收信日期", "信访人", "问题类别", "所属乡镇", "主要内容", "承办单位"],
        ["J-01", datetime(2019, 6, 3), "孙一", "劳动社保", "第1镇", "工资纠纷", "测试县人社局"],
        ["J-02", datetime(2019, 6, 4, 15, 30), "孙二", "劳动社保", "第1镇", "工资纠纷续", None],
        ["J-03", date(2019, 6, 10), "孙三", "劳动社保", "第2镇", "征地补偿", "测试县自然资源局"],
    ]
    data = _xlsx(rows, merges=["A1:G1", "G3:G4"])
    job, _ = _clerk_imports(users.clerk, data, "办理台账.xlsx", source="办理台账2019")
    assert job.header_row == 2
    got = _by_no("J-")
    assert got["J-02"].handling_unit == county.dept  # the merged cell applies to both rows
    assert timezone.localtime(got["J-02"].received_at) == timezone.make_aware(datetime(2019, 6, 4, 15, 30))
    assert got["J-03"].handling_unit == county.dept2 and got["J-01"].status == Status.REGISTERED


def test_shape_4_other_header_words_full_width_digits_and_a_place_alias(users, county, category):
    """Other words for the same things (办理结果, 满意度评价 较满意, 已结案), full-width digits in numbers and phones,
    a lower-case x in an ID number, and a place written 第一镇 (suggested as 第1镇)."""
    from tests.transfer.conftest import valid_id

    id_number = valid_id("34110019800101001")
    rows = [
        [
            "信访登记编号",
            "信访日期",
            "姓名",
            "身份证号码",
            "手机号",
            "问题分类",
            "问题属地",
            "信访事项",
            "办理结果",
            "满意度评价",
            "结案情况",
        ],
        [
            "ＸＦ－２０１９－１",
            "２０１９－０７－０１",
            "钱一",
            id_number.lower(),
            "１３９０５５１００２１",
            "劳动社保",
            "第一镇",
            "欠薪",
            "已协调发放",
            "较满意",
            "已结案",
        ],
        ["XF-2019-2", "2019-07-08", "钱二", "", "13905510022", "劳动社保", "第1镇", "欠薪", "", "", "在办"],
    ]
    job, choices = _clerk_imports(users.clerk, _xlsx(rows), "台账.xlsx", source="信访局2019B")
    region_choice = {i["raw"]: i for i in choices["region"]}
    assert region_choice["第一镇"]["code"] == "T001" and not region_choice["第一镇"]["known"]  # a suggestion, confirmed
    p = Petition.objects.get(legacy_reg_no="XF-2019-1")
    assert p.region == county.townships[0] and p.status == Status.ARCHIVED and p.satisfaction == "basically_satisfied"
    assert p.reply_text == "已协调发放"
    person = p.petitioners.get()
    assert person.phone == "13905510021" and person.id_number == id_number.upper()


def test_shape_5_two_header_rows_notes_and_month_headings(users, county, category):
    """A group header (信访人信息 merged over 姓名/电话) above the real header, month headings as one-cell rows, 备注,
    dates as 20190305 text, township+village place names."""
    rows = [
        ["测试县2019年信访事项登记表", None, None, None, None, None, None, None],
        ["序号", "基本信息", None, "信访人信息", None, "事项", None, "备注"],
        ["序号", "登记号", "登记日期", "姓名", "电话", "问题类别", "反映问题", "备注"],
        ["一、一月份", None, None, None, None, None, None, None],
        [1, "2019-01-001", "20190105", "冯一", "13905510031", "劳动社保", "第1镇1镇1村 欠薪", ""],
        ["二、二月份", None, None, None, None, None, None, None],
        [2, "2019-02-001", "20190211", "冯二", "13905510032", "劳动社保", "低保", "复印件附后"],
    ]
    data = _xlsx(rows, merges=["A1:H1", "B2:C2", "D2:E2", "F2:G2"])
    job, _ = _clerk_imports(users.clerk, data, "登记表.xlsx", source="登记表2019")
    assert job.header_row == 3 and job.imported_count == 2
    assert {tuple(r) for r in job.skipped} == {(4, "说明行（只有一格有内容）"), (6, "说明行（只有一格有内容）")}
    p = Petition.objects.get(legacy_reg_no="2019-01-001")
    assert timezone.localtime(p.received_at).date() == date(2019, 1, 5) and p.region == county.region


# ---------------------------------------------------------------- the 3,000-row 2019 register


def test_a_3000_row_2019_register_leaves_the_office_home_and_this_years_figures_unchanged(users, county, category, register):
    now = timezone.now()
    # The office's live work before: a petition of today, one overdue, one in progress.
    register(content="今天的来信：拖欠工资")
    old, _ = register(content="二十天前收到，尚未处理", received_at=now - timedelta(days=20))
    from xinfang.petitions.services import petition_accept

    petition_accept(actor=users.office, petition_or_reg_no=old, version=old.version)
    year = timezone.localtime(now).year
    f = stats_selectors.parse_filter(users.office, {"start": f"{year}-01-01", "end": timezone.localtime(now).date().isoformat()})
    f_2019 = stats_selectors.parse_filter(users.office, {"start": "2019-01-01", "end": "2019-12-31"})
    before_counts = {c["code"]: c["count"] for c in petition_selectors.worklist_counts(actor=users.office)}
    before_kpis = stats_selectors.kpi_summary(actor=users.office, f=f, now=now)

    rows = legacy.register_rows(
        3000, categories=["劳动社保"], regions=["第1镇", "1镇1村", "第2镇"], units=["测试县人社局", "测试县自然资源局"], year=2019
    )
    job = services.import_job_create(actor=users.clerk, source="县信访局2019年台账", filename="2019.xlsx", data=legacy.to_xlsx(rows))
    services.import_job_set_mapping(actor=users.clerk, job_id=job.pk, mapping=job.mapping)
    job = services.import_job_validate(job_id=job.pk)
    assert job.status == JobStatus.VALIDATED, job.errors[:3]
    assert job.preview["this_year"] == 0 and job.preview["years"] == [[2019, 3000]]
    open_rows = sum(1 for r in rows if r[11] in ("已登记", "已受理", "办理中"))
    assert job.preview["open"] == open_rows and job.preview["archived"] == 3000 - open_rows
    services.import_job_start(actor=users.clerk, job_id=job.pk)
    assert services.import_job_run(job_id=job.pk).status == JobStatus.DONE

    after_counts = {c["code"]: c["count"] for c in petition_selectors.worklist_counts(actor=users.office)}
    assert after_counts.pop("historical_open") == open_rows
    before_counts.pop("historical_open")
    assert after_counts == before_counts  # 今日待阅办, 已超期, 待交办 … as they were
    after_kpis = stats_selectors.kpi_summary(actor=users.office, f=f, now=now)
    assert after_kpis["kpis"] == before_kpis["kpis"] and after_kpis["counts"] == before_kpis["counts"]
    # The past year counts them where the register gives what a figure needs: totals and 满意率, not the timeliness rates.
    y2019 = stats_selectors.kpi_summary(actor=users.office, f=f_2019, now=now)
    assert y2019["counts"]["total"] == 3000 and y2019["counts"]["overdue"] == 0
    evaluated = sum(1 for r in rows if r[14] and r[13])
    assert y2019["kpis"]["satisfaction_rate"]["denominator"] == evaluated
    for code in ("on_time_completion", "timely_acceptance", "timely_dispatch", "first_time_resolution", "evaluation_rate", "repeat_rate"):
        assert y2019["kpis"][code]["denominator"] == 0, code
    # Every row is findable by its original number (the field the search matches, for all; the search box, for some).
    visible = set(petition_selectors.petition_list(actor=users.office, filters={}).values_list("legacy_reg_no", flat=True))
    assert {r[0] for r in rows} <= visible
    for r in rows[::300]:
        found = list(petition_selectors.petition_list(actor=users.office, filters={"q": r[0]}))
        assert [p.legacy_reg_no for p in found] == [r[0]]
