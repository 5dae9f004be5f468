"""Import of the region tree and the network from an .xlsx workbook.

Sheets (a header row, then one record per row; any sheet may be absent):
  区划      代码, 名称, 层级, 上级代码
  单位      代码, 名称, 类型, 上级单位代码, 区域代码
  督查组    代码, 名称, 包联乡镇代码 (several, separated by 、 , ; or spaces)
  网络岗位  岗位, 姓名, 电话, 区域代码, 学校代码, 督查组代码, 原单位代码, 出生日期, 选调日期, 培训日期, 上岗日期, 期满日期
            [, 账号 (optional: the username of the person's login)]

The rows are applied in that order through the same services the pages use, each in a
savepoint, inside one transaction. A dry run (and any run with a bad row) rolls the whole
transaction back, so the dry run reports exactly what the real run would do, and a real run
is all-or-nothing.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from xinfang.core.errors import DomainError, InvalidInput
from xinfang.core.uploads import check_spreadsheet
from xinfang.org import services
from xinfang.org.models import PostRole, Region, RegionLevel, SupervisionGroup, Unit, UnitKind, unit_code_validator

SHEETS = {
    "区划": ["代码", "名称", "层级", "上级代码"],
    "单位": ["代码", "名称", "类型", "上级单位代码", "区域代码"],
    "督查组": ["代码", "名称", "包联乡镇代码"],
    "网络岗位": [
        "岗位",
        "姓名",
        "电话",
        "区域代码",
        "学校代码",
        "督查组代码",
        "原单位代码",
        "出生日期",
        "选调日期",
        "培训日期",
        "上岗日期",
        "期满日期",
    ],
}
EXAMPLES = {
    "区划": [["341100999", "示范镇", "乡镇/街道", "341100"], ["341100999001", "示范村", "行政村/社区", "341100999"]],
    "单位": [["twp-341100999", "示范镇人民政府", "乡镇政府/街道办", "county", "341100999"]],
    "督查组": [["dcz-7", "第七督查组", "341100999"]],
    "网络岗位": [
        ["联络员", "张三", "13900000000", "341100999001", "", "", "", "", "", "", "2026-01-01", ""],
        ["督查员", "李四", "13900000001", "", "", "dcz-7", "dept-hr", "1995-03-01", "2025-12-20", "2025-12-25", "2026-01-01", ""],
    ],
}
OPTIONAL = {"网络岗位": ["账号"]}  # columns that may be absent
MAX_ROWS = 20000


@dataclass
class RowError:
    sheet: str
    row: int
    reason: str


@dataclass
class ImportResult:
    committed: bool = False
    errors: list[RowError] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = [f"{sheet} 新增 {n}" for sheet, n in self.created.items() if n]
        parts += [f"{sheet} 已存在 {n}" for sheet, n in self.unchanged.items() if n]
        return "，".join(parts) or "没有可导入的行"


def _by_label(choices, value: str, what: str) -> str:
    value = (value or "").strip()
    for code, label in choices:
        if value in (code, label) or value in label.split("/"):
            return code
    allowed = "、".join(label for _, label in choices)
    raise InvalidInput(f"{what}“{value}”不正确，可填：{allowed}")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value, what: str, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(f"请填写{what}")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell(value).replace("/", "-").replace(".", "-")
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(f"{what}“{_cell(value)}”不是日期，请写成 2026-01-31") from None


def _region(code: str, what: str = "区域") -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise InvalidInput(f"{what}代码 {code} 不存在")
    return region


def _unit(code: str, what: str = "单位") -> Unit:
    unit = Unit.objects.filter(code=code).select_related("region").first()
    if unit is None:
        raise InvalidInput(f"{what}代码 {code} 不存在")
    return unit


def _import_region(row: dict, actor) -> bool:
    code, name = row["代码"], row["名称"]
    if not code or not name:
        raise InvalidInput("代码和名称必填")
    level = _by_label(RegionLevel.choices, row["层级"], "层级")
    parent = _region(row["上级代码"], "上级") if row["上级代码"] else None
    if level == RegionLevel.COUNTY:
        if parent is not None:
            raise InvalidInput("县级区划不应有上级")
    else:
        expected = {
            RegionLevel.TOWNSHIP: RegionLevel.COUNTY,
            RegionLevel.VILLAGE: RegionLevel.TOWNSHIP,
            RegionLevel.GROUP: RegionLevel.VILLAGE,
        }
        if parent is None:
            raise InvalidInput("请填写上级代码")
        if parent.level != expected[level]:
            raise InvalidInput(
                f"{RegionLevel(level).label}的上级须为{RegionLevel(expected[level]).label}，而 {parent.code} 是{parent.get_level_display()}"
            )
    existing = Region.objects.filter(code=code).first()
    if existing is not None:
        if existing.name == name and existing.level == level and existing.parent_id == (parent.pk if parent else None):
            return False
        raise InvalidInput(f"代码 {code} 已存在（{existing.name}），内容不一致")
    Region(code=code[:32], name=name[:64], level=level, parent=parent).save()
    return True


def _import_unit(row: dict, actor) -> bool:
    code, name = row["代码"], row["名称"]
    if not code or not name:
        raise InvalidInput("代码和名称必填")
    try:
        unit_code_validator(code)
    except ValidationError as e:
        raise InvalidInput(e.messages[0]) from e
    kind = _by_label(UnitKind.choices, row["类型"], "类型")
    parent = _unit(row["上级单位代码"], "上级单位") if row["上级单位代码"] else None
    if not row["区域代码"]:
        raise InvalidInput("请填写区域代码")
    region = _region(row["区域代码"])
    existing = Unit.objects.filter(code=code).first()
    if existing is not None:
        if existing.name == name and existing.kind == kind and existing.region_id == region.pk:
            return False
        raise InvalidInput(f"单位代码 {code} 已存在（{existing.name}），内容不一致")
    Unit.objects.create(code=code[:32], name=name[:100], kind=kind, parent=parent, region=region)
    return True


def _import_group(row: dict, actor) -> bool:
    code, name = row["代码"], row["名称"]
    townships = [_region(c, "乡镇") for c in re.split(r"[、,，;；\s]+", row["包联乡镇代码"]) if c]
    existing = SupervisionGroup.objects.filter(code=code).first()
    if existing is not None:
        for township in townships:
            services.supervision_group_add_township(actor=actor, group=existing, township=township)
        return False
    services.supervision_group_create(actor=actor, code=code, name=name, townships=townships)
    return True


def _import_post(row: dict, actor) -> bool:
    role = _by_label(PostRole.choices, row["岗位"], "岗位")
    data = {
        "name": row["姓名"],
        "phone": row["电话"],
        "region": _region(row["区域代码"]) if row["区域代码"] else None,
        "school": _unit(row["学校代码"], "学校") if row["学校代码"] else None,
        "home_unit": _unit(row["原单位代码"], "原单位") if row["原单位代码"] else None,
        "birth_date": _date(row["出生日期"], "出生日期"),
        "selected_on": _date(row["选调日期"], "选调日期"),
        "trained_on": _date(row["培训日期"], "培训日期"),
        "start_on": _date(row["上岗日期"], "上岗日期", required=True),
        "end_on": _date(row["期满日期"], "期满日期"),
    }
    if row["督查组代码"]:
        group = SupervisionGroup.objects.filter(code=row["督查组代码"]).first()
        if group is None:
            raise InvalidInput(f"督查组代码 {row['督查组代码']} 不存在")
        data["supervision_group"] = group
    if role == PostRole.HANDLER and data["home_unit"] is None and data["region"] is not None and data["region"].parent_id:
        data["home_unit"] = Unit.objects.filter(kind=UnitKind.TOWNSHIP, region_id=data["region"].parent_id).select_related("region").first()
    services.network_post_create(actor=actor, role=role, username=row.get("账号", ""), **data)
    return True


HANDLERS = {"区划": _import_region, "单位": _import_unit, "督查组": _import_group, "网络岗位": _import_post}
DATE_COLUMNS = {"出生日期", "选调日期", "培训日期", "上岗日期", "期满日期"}


def _read_rows(ws, sheet: str, result: ImportResult):
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return
    names = [_cell(h) for h in header]
    missing = [h for h in SHEETS[sheet] if h not in names]
    if missing:
        result.errors.append(RowError(sheet, 1, f"表头缺少列：{'、'.join(missing)}"))
        return
    index = {h: names.index(h) for h in [*SHEETS[sheet], *OPTIONAL.get(sheet, [])] if h in names}
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            result.errors.append(RowError(sheet, number, f"行数超过 {MAX_ROWS}，请分批导入"))
            return
        if values is None or all(v in (None, "") for v in values):
            continue
        row = {}
        for h, i in index.items():
            value = values[i] if i < len(values) else None
            row[h] = value if h in DATE_COLUMNS and isinstance(value, (date, datetime)) else _cell(value)
        yield number, row


def import_network(fileobj, *, actor, commit: bool) -> ImportResult:
    """Validate (and, with `commit`, apply) a workbook. Nothing is written unless every row is good."""
    result = ImportResult()
    check_spreadsheet(fileobj)  # unpacked size and row count, before openpyxl parses anything
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile):
        raise InvalidInput("无法读取该文件，请上传 .xlsx 格式的 Excel 工作簿（可先下载模板）") from None
    known = [name for name in SHEETS if name in wb.sheetnames]
    if not known:
        raise InvalidInput(f"工作簿中没有可识别的工作表，应为：{'、'.join(SHEETS)}")
    services.require_network_manager(actor)
    with transaction.atomic():
        for sheet in known:
            result.created[sheet] = result.unchanged[sheet] = 0
            for number, row in _read_rows(wb[sheet], sheet, result):
                try:
                    with transaction.atomic():
                        created = HANDLERS[sheet](row, actor)
                except DomainError as exc:
                    result.errors.append(RowError(sheet, number, exc.message))
                    continue
                except ValidationError as exc:
                    result.errors.append(RowError(sheet, number, "；".join(exc.messages)))
                    continue
                if created:
                    result.created[sheet] += 1
                else:
                    result.unchanged[sheet] += 1
        result.committed = commit and not result.errors
        if not result.committed:
            transaction.set_rollback(True)
    wb.close()
    return result


def template_workbook() -> bytes:
    """The template to download: one sheet per kind, a header row and example rows."""
    wb = Workbook()
    wb.remove(wb.active)
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="B3261E")
    for sheet, required in SHEETS.items():
        header = [*required, *OPTIONAL.get(sheet, [])]
        ws = wb.create_sheet(sheet)
        ws.append(header)
        for cell in ws[1]:
            cell.font, cell.fill = head_font, head_fill
        for example in EXAMPLES[sheet]:
            ws.append(example)
        for i, h in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(h) * 3)
    notes = wb.create_sheet("说明")
    for line in [
        "每个工作表第一行为表头，请勿修改；示例行可删除或覆盖。",
        "层级：县、乡镇/街道、行政村/社区、村民小组（也可填 county/township/village/group）。",
        "单位类型：" + "、".join(label for _, label in UnitKind.choices),
        "岗位：督查员、驻村承办员、联络员、信息员、安全信息员。“账号”列可空：本人有系统登录账号时填写用户名。",
        "联络员的区域代码填行政村；信息员填村民小组；驻村承办员填村（原单位填乡镇政府代码，可省略）；安全信息员填学校代码。",
        "督查员须填督查组代码、原单位代码、出生日期和培训日期（培训须在上岗之前）；期满日期可空，默认上岗后一年。",
        "日期写成 2026-01-31。先“检查”（不写入），无误后再“导入”；有任何一行出错则整批不导入。",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
