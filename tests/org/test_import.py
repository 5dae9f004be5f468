"""Excel import: a good workbook imports everything; bad rows are reported with their row
numbers and nothing is written; the template downloads and reads back."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from xinfang.org.importing import SHEETS, import_network
from xinfang.org.models import NetworkPost, PostRole, Region, Role, SupervisionGroup, Unit


def workbook(**sheets) -> io.BytesIO:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(SHEETS[name])
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


GOOD = {
    "区划": [
        ["T003", "第3镇", "乡镇/街道", "T00"],
        ["T0031", "新村", "行政村/社区", "T003"],
        ["T00311", "新村一组", "村民小组", "T0031"],
        ["T00312", "新村二组", "group", "T0031"],
    ],
    "单位": [["twp-3", "第3镇政府", "乡镇政府/街道办", "gov", "T003"], ["school-2", "第3镇小学", "学校", "dept-hr", "T003"]],
    "督查组": [["dcz-9", "第九督查组", "T003、T002"]],
    "网络岗位": [
        ["联络员", "张三", "13900000001", "T0031", "", "", "", "", "", "", "2026-01-05", ""],
        ["信息员", "李四", "", "T00311", "", "", "", "", "", "", date(2026, 1, 5), ""],
        ["驻村承办员", "何干事", "", "T0031", "", "", "", "", "", "", "2026-01-05", ""],
        ["安全信息员", "王老师", "", "", "school-2", "", "", "", "", "", "2026-01-05", ""],
        ["督查员", "赵督查", "", "", "", "dcz-9", "dept-hr", "1996-02-03", "2025-12-01", "2025-12-20", "2026-01-05", ""],
    ],
}


def counts():
    return (Region.objects.count(), Unit.objects.count(), SupervisionGroup.objects.count(), NetworkPost.objects.count())


def test_good_file_imports_everything(county):
    result = import_network(workbook(**GOOD), actor=None, commit=True)
    assert result.errors == [] and result.committed
    assert result.created == {"区划": 4, "单位": 2, "督查组": 1, "网络岗位": 5}
    assert Region.objects.get(code="T00312").parent.code == "T0031"
    assert set(SupervisionGroup.objects.get(code="dcz-9").townships.values_list("code", flat=True)) == {"T002", "T003"}
    handler = NetworkPost.objects.get(role=PostRole.HANDLER)
    assert handler.home_unit.code == "twp-3"  # the township of the village, found for the row
    sup = NetworkPost.objects.get(role=PostRole.SUPERVISOR)
    assert (sup.trained_on, sup.end_on) == (date(2025, 12, 20), date(2027, 1, 5))


def test_post_rows_may_link_a_login(county, make_user):
    user = make_user(Role.LIAISON, username="zhangsan")
    rows = {"区划": GOOD["区划"], "网络岗位": [GOOD["网络岗位"][0] + ["zhangsan"], GOOD["网络岗位"][1] + ["nobody"]]}
    wb = workbook(**rows)
    book = load_workbook(wb)
    book["网络岗位"].cell(1, 13, "账号")
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    result = import_network(out, actor=None, commit=True)
    assert [(e.row, e.reason) for e in result.errors] == [(3, "登录账号 nobody 不存在或已停用")]
    assert not NetworkPost.objects.exists()
    book["网络岗位"].delete_rows(3)  # without the bad row the file imports
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    assert import_network(out, actor=None, commit=True).committed
    assert NetworkPost.objects.get(role=PostRole.LIAISON).user == user


def test_dry_run_writes_nothing(county):
    before = counts()
    result = import_network(workbook(**GOOD), actor=None, commit=False)
    assert result.errors == [] and not result.committed and result.created["网络岗位"] == 5
    assert counts() == before


def test_running_the_same_file_twice_keeps_the_tree_unchanged(county):
    import_network(workbook(**{k: GOOD[k] for k in ("区划", "单位")}), actor=None, commit=True)
    before = counts()
    again = import_network(workbook(**{k: GOOD[k] for k in ("区划", "单位")}), actor=None, commit=True)
    assert again.errors == [] and again.unchanged == {"区划": 4, "单位": 2}
    assert counts() == before


def test_bad_rows_are_reported_with_row_numbers_and_nothing_is_imported(county):
    bad = {
        "区划": GOOD["区划"] + [["T0032", "错村", "行政村/社区", "T999"], ["T0033", "", "村", "T003"]],
        "单位": GOOD["单位"],
        "网络岗位": [
            ["联络员", "张三", "", "T0031", "", "", "", "", "", "", "2026-01-05", ""],
            ["联络员", "王二", "", "T0031", "", "", "", "", "", "", "2026-01-05", ""],
            ["信息员", "李四", "", "T0031", "", "", "", "", "", "", "2026-01-05", ""],
            ["督查员", "钱督查", "", "", "", "dcz-1", "dept-hr", "1996-02-03", "", "", "2026-01-05", ""],
            ["厨师", "孙", "", "T0031", "", "", "", "", "", "", "2026-01-05", ""],
            ["安全信息员", "周老师", "", "", "school-2", "", "", "", "", "", "2026/13/45", ""],
        ],
    }
    before = counts()
    result = import_network(workbook(**bad), actor=None, commit=True)
    assert not result.committed
    got = [(e.sheet, e.row, e.reason) for e in result.errors]
    assert got[0] == ("区划", 6, "上级代码 T999 不存在")
    assert got[1] == ("区划", 7, "代码和名称必填")
    assert got[2] == ("网络岗位", 3, "该村已有联络员：张三，请先办理离岗")
    assert got[3][:2] == ("网络岗位", 4) and "不是村民小组" in got[3][2]
    assert got[4] == ("网络岗位", 5, "督查组代码 dcz-1 不存在")
    assert got[5][:2] == ("网络岗位", 6) and got[5][2].startswith("岗位“厨师”不正确")
    assert got[6] == ("网络岗位", 7, "上岗日期“2026/13/45”不是日期，请写成 2026-01-31")
    assert len(got) == 7
    assert counts() == before  # the good rows were not kept either


def test_a_unit_code_is_ascii_as_the_registration_numbers_it_begins(county):
    """A unit's code is the head of its office's registration numbers, and the search asks the numbers only for what
    a number can hold (org.models.unit_code_validator)."""
    bad = {"单位": [["县信访局", "某局", "信访局", "gov", "T003"], ["twp 3", "某镇", "乡镇政府/街道办", "gov", "T003"]]}
    result = import_network(workbook(**bad), actor=None, commit=True)
    assert [(e.row, e.reason) for e in result.errors] == [
        (2, "单位代码只能由字母、数字和 - _ . 组成"),
        (3, "单位代码只能由字母、数字和 - _ . 组成"),
    ]
    assert not Unit.objects.filter(name__in=["某局", "某镇"]).exists()


def test_missing_header_column_is_reported(county):
    wb = Workbook()
    ws = wb.active
    ws.title = "区划"
    ws.append(["代码", "名称"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    result = import_network(out, actor=None, commit=True)
    assert [(e.sheet, e.row, e.reason) for e in result.errors] == [("区划", 1, "表头缺少列：层级、上级代码")]


def test_not_an_excel_file(county):
    from xinfang.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="无法读取该文件"):
        import_network(io.BytesIO(b"code,name\n1,2\n"), actor=None, commit=False)


def test_template_downloads_and_reads_back(client, make_user):
    client.force_login(make_user(Role.OFFICE))
    response = client.get("/org/import/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["区划", "单位", "督查组", "网络岗位", "说明"]
    for name, header in SHEETS.items():
        rows = list(wb[name].iter_rows(values_only=True))
        assert list(rows[0])[: len(header)] == header and len(rows) >= 2


def test_import_page_check_then_commit(client, make_user, county):
    client.force_login(make_user(Role.OFFICE))
    data = workbook(**GOOD).getvalue()
    upload = io.BytesIO(data)
    upload.name = "network.xlsx"
    body = client.post("/org/import/", {"file": upload, "mode": "check"}).content.decode()
    assert "检查通过" in body and not NetworkPost.objects.exists()
    upload = io.BytesIO(data)
    upload.name = "network.xlsx"
    body = client.post("/org/import/", {"file": upload, "mode": "commit"}, follow=True).content.decode()
    assert "导入完成" in body and NetworkPost.objects.count() == 5


def test_import_page_lists_bad_rows(client, make_user, county):
    client.force_login(make_user(Role.OFFICE))
    upload = workbook(区划=[["T0032", "错村", "行政村/社区", "T999"]])
    upload.name = "bad.xlsx"
    body = client.post("/org/import/", {"file": upload, "mode": "commit"}).content.decode()
    assert "未导入任何数据" in body and "上级代码 T999 不存在" in body and '<td class="num">2</td>' in body


def test_import_page_refuses_other_files(client, make_user, county):
    client.force_login(make_user(Role.OFFICE))
    upload = io.BytesIO(b"x")
    upload.name = "list.csv"
    body = client.post("/org/import/", {"file": upload, "mode": "check"}).content.decode()
    assert "请上传 .xlsx 格式的 Excel 文件" in body


def test_command_checks_then_commits(county, tmp_path):
    path = tmp_path / "network.xlsx"
    path.write_bytes(workbook(**GOOD).getvalue())
    out = io.StringIO()
    call_command("import_network", str(path), stdout=out)
    assert "检查通过" in out.getvalue() and not NetworkPost.objects.exists()
    call_command("import_network", str(path), "--commit", stdout=out)
    assert NetworkPost.objects.count() == 5


def test_command_fails_on_bad_rows(county, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(区划=[["T0032", "错村", "行政村/社区", "T999"]]).getvalue())
    out = io.StringIO()
    with pytest.raises(CommandError, match="共 1 行有误"):
        call_command("import_network", str(path), "--commit", stdout=out)
    assert "区划 第 2 行：上级代码 T999 不存在" in out.getvalue()
    assert not Region.objects.filter(code="T0032").exists()
