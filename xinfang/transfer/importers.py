"""Reading legacy petition registers (.xlsx/.csv) and turning each row into registration inputs.

Pure functions (no writes): `read_table` yields (row number, {header: value}); `RowReader`
maps a row onto our fields with the saved column mapping and returns the keyword arguments
for `petition_register` plus the legacy history, or the row's errors in Chinese
(column = the file's header, so the clerk finds it in the spreadsheet).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from xinfang.core.errors import InvalidInput
from xinfang.core.uploads import SPREADSHEET_MAX_ROWS, check_spreadsheet, too_many_rows_message
from xinfang.org.models import Region, Unit
from xinfang.petitions.models import Category, Channel, Nature, Satisfaction, Status
from xinfang.petitions.services import id_number_valid


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""


# Our fields, in the order the mapping page shows them. Aliases are header names seen in county registers.
FIELDS: list[FieldSpec] = [
    FieldSpec("legacy_reg_no", "原登记编号", True, ("登记编号", "编号", "登记号", "原编号", "信访编号", "件号")),
    FieldSpec("received_at", "收到/登记日期", True, ("收到时间", "登记日期", "登记时间", "来信来访日期", "日期", "收信日期")),
    FieldSpec("channel", "渠道", False, ("信访形式", "来源", "方式", "信访方式"), "来信/来访/来电/网上信访…，空则按来信"),
    FieldSpec("name", "信访人姓名", False, ("姓名", "信访人", "反映人", "来访人")),
    FieldSpec("id_number", "身份证号", False, ("身份证号码", "证件号码", "身份证")),
    FieldSpec("phone", "联系电话", False, ("电话", "手机", "联系方式", "手机号")),
    FieldSpec("address", "住址", False, ("地址", "家庭住址", "通讯地址")),
    FieldSpec("headcount", "人数", False, ("来访人数", "人次")),
    FieldSpec("nature", "性质", False, ("信访性质", "类型"), "检举控告/申诉/求决/意见建议/咨询，空则按求决"),
    FieldSpec("category", "问题类别", True, ("类别", "问题分类", "内容分类")),
    FieldSpec("region", "问题发生地", True, ("发生地", "所属乡镇", "乡镇", "地区", "区域")),
    FieldSpec("content", "主要问题", True, ("反映问题", "内容", "主要内容", "信访内容", "问题")),
    FieldSpec("requests", "诉求", False, ("信访诉求", "要求")),
    FieldSpec("confidential", "保密", False, ("是否保密",), "是/否，空则检举控告件保密"),
    FieldSpec(
        "status", "办理状态", False, ("状态", "办理情况", "办结情况"), "已登记/已受理/已交办/办理中/已答复/已评价/已归档/不予受理/已转送"
    ),
    FieldSpec("handling_unit", "承办单位", False, ("责任单位", "交办单位", "办理单位")),
    FieldSpec("replied_at", "答复日期", False, ("答复时间", "办结日期", "办结时间")),
    FieldSpec("reply_text", "答复意见", False, ("处理意见", "答复内容", "办理结果")),
    FieldSpec("satisfaction", "满意度", False, ("评价", "群众评价", "满意度评价"), "满意/基本满意/不满意"),
    FieldSpec("archived_at", "归档日期", False, ("归档时间",)),
]
FIELD_BY_KEY = {f.key: f for f in FIELDS}
MAX_ERRORS = 1000

STATUS_WORDS = {
    "已登记": Status.REGISTERED,
    "登记": Status.REGISTERED,
    "待受理": Status.REGISTERED,
    "已受理": Status.ACCEPTED,
    "受理": Status.ACCEPTED,
    "已交办": Status.ASSIGNED,
    "交办": Status.ASSIGNED,
    "办理中": Status.IN_PROGRESS,
    "在办": Status.IN_PROGRESS,
    "已答复": Status.REPLIED,
    "已办结": Status.REPLIED,
    "办结": Status.REPLIED,
    "已评价": Status.EVALUATED,
    "已归档": Status.ARCHIVED,
    "归档": Status.ARCHIVED,
    "不予受理": Status.DECLINED,
    "已转送": Status.FORWARDED,
    "转送": Status.FORWARDED,
}
IMPORTABLE_STATUSES = set(STATUS_WORDS.values())
YES = {"是", "y", "yes", "true", "1", "保密", "√"}
NO = {"否", "n", "no", "false", "0", "", "不保密"}


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("无法识别CSV文件的编码（请另存为UTF-8或GBK编码）", fields={"file": ["编码无法识别"]})


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def _rows_raw(data: bytes, extension: str):
    """Yield lists of cell values (header row first)."""
    if extension == ".csv":
        reader = csv.reader(io.StringIO(_decode(data), newline=""))
        yield from reader
        return
    if extension == ".xlsx":
        from openpyxl import load_workbook

        check_spreadsheet(data)  # unpacked size and row count, before openpyxl parses anything
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook gets the same message
            raise InvalidInput("无法读取该Excel文件（请确认是 .xlsx 格式）", fields={"file": ["文件无法读取"]}) from None
        try:
            ws = wb.worksheets[0]
            for row in ws.iter_rows(values_only=True):
                yield list(row)
        finally:
            wb.close()
        return
    raise InvalidInput("只支持 .xlsx 和 .csv 文件", fields={"file": ["只支持 .xlsx 和 .csv 文件"]})


def read_table(data: bytes, extension: str):
    """(headers, iterator of (row number as the spreadsheet shows it, {header: value})). Blank rows are skipped."""
    it = _rows_raw(data, extension)
    headers: list[str] = []
    header_row = 0
    for n, raw in enumerate(it, start=1):
        cells = [str(_cell(c)) for c in raw]
        if any(cells):
            headers = cells
            header_row = n
            break
    if not headers:
        raise InvalidInput("文件是空的（没有表头行）", fields={"file": ["文件是空的"]})
    seen = set()
    for h in headers:
        if h and h in seen:
            raise InvalidInput(f"表头“{h}”重复，请改名后再导入", fields={"file": [f"表头“{h}”重复"]})
        seen.add(h)

    def rows():
        for n, raw in enumerate(it, start=header_row + 1):
            if n - header_row > SPREADSHEET_MAX_ROWS:  # a CSV, or a sheet without <dimension>
                raise InvalidInput(too_many_rows_message(), fields={"file": ["行数过多"]})
            values = [_cell(c) for c in raw]
            if not any(v != "" for v in values):
                continue
            yield n, {h: (values[i] if i < len(values) else "") for i, h in enumerate(headers) if h}

    return [h for h in headers if h], rows()


def count_rows(data: bytes, extension: str) -> int:
    _headers, rows = read_table(data, extension)
    return sum(1 for _ in rows)


def guess_mapping(headers: list[str], saved: dict | None = None) -> dict:
    """Our field -> header: the saved mapping where its header still exists, else a header named like the field."""
    saved = saved or {}
    out = {}
    for f in FIELDS:
        if saved.get(f.key) in headers:
            out[f.key] = saved[f.key]
            continue
        for name in (f.label, *f.aliases):
            if name in headers:
                out[f.key] = name
                break
    return out


def check_mapping(mapping: dict, headers: list[str]) -> dict:
    """Validate a mapping from the page or the command; returns it cleaned (only known fields, existing headers)."""
    cleaned, errors = {}, {}
    for f in FIELDS:
        header = (mapping.get(f.key) or "").strip()
        if header and header not in headers:
            errors[f.key] = [f"文件中没有名为“{header}”的列"]
        elif header:
            cleaned[f.key] = header
        elif f.required:
            errors[f.key] = [f"请为“{f.label}”选择一列"]
    used: dict[str, str] = {}
    for key, header in cleaned.items():
        if header in used:
            errors[key] = [f"“{header}”已映射到“{FIELD_BY_KEY[used[header]].label}”"]
        used.setdefault(header, key)
    if errors:
        raise InvalidInput("列映射不完整：" + "；".join(f"{FIELD_BY_KEY[k].label}：{v[0]}" for k, v in errors.items()), fields=errors)
    return cleaned


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_when(value) -> datetime | None:
    """A date or datetime from a cell: Excel dates, 2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日, 20230501 (local time)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time(9, 0))
    else:
        text = str(value).strip()
        dt = None
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                g = list(m.groups()) + [None, None, None]
                y, mo, d = int(g[0]), int(g[1]), int(g[2])
                hh, mi, ss = (int(g[3]), int(g[4] or 0), int(g[5] or 0)) if g[3] is not None else (9, 0, 0)
                try:
                    dt = datetime(y, mo, d, hh, mi, ss)
                except ValueError:
                    return None
                break
        if dt is None:
            return None
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


def _norm(value) -> str:
    return re.sub(r"\s+", "", str(value or ""))


@dataclass
class Lookups:
    """Reference data loaded once per import (codes and names)."""

    categories: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)

    @classmethod
    def load(cls) -> Lookups:
        lk = cls()
        for c in Category.objects.filter(active=True):
            lk.categories[_norm(c.code)] = c
            lk.categories.setdefault(_norm(c.name), c)
        names: dict[str, list] = {}
        for r in Region.objects.select_related("parent"):
            lk.regions[_norm(r.code)] = r
            names.setdefault(_norm(r.name), []).append(r)
            if r.parent_id:
                lk.regions.setdefault(_norm(r.parent.name + r.name), r)
        for name, found in names.items():
            lk.regions.setdefault(name, found[0] if len(found) == 1 else None)  # None: ambiguous name
        for u in Unit.objects.filter(active=True):
            lk.units[_norm(u.code)] = u
            lk.units.setdefault(_norm(u.name), u)
        return lk


CHANNEL_WORDS = {label: code for code, label in Channel.choices} | {"信": Channel.LETTER, "访": Channel.VISIT, "电话": Channel.PHONE}
CHANNEL_WORDS |= {"网信": Channel.ONLINE, "网上": Channel.ONLINE, "网络": Channel.ONLINE, "领导信箱": Channel.MAILBOX}
NATURE_WORDS = {label: code for code, label in Nature.choices} | {"检举": Nature.REPORT, "控告": Nature.REPORT, "建议": Nature.SUGGESTION}
SATISFACTION_WORDS = {label: code for code, label in Satisfaction.choices}


@dataclass
class ParsedRow:
    row: int
    legacy_reg_no: str
    register: dict  # keyword arguments for petition_register (without actor)
    history: dict  # status, handling_unit, replied_at, reply_text, satisfaction, archived_at


class RowReader:
    """Turns one mapped row into a ParsedRow, or a list of {row, column, reason}."""

    def __init__(self, mapping: dict, lookups: Lookups, *, now: datetime | None = None):
        self.mapping = mapping
        self.lk = lookups
        self.now = now or timezone.now()

    def read(self, n: int, raw: dict) -> tuple[ParsedRow | None, list[dict]]:
        errors: list[dict] = []

        def val(key):
            header = self.mapping.get(key)
            return raw.get(header, "") if header else ""

        def err(key, reason):
            errors.append({"row": n, "column": self.mapping.get(key) or FIELD_BY_KEY[key].label, "reason": reason})

        def text(key, max_len):
            v = val(key)
            v = v.strip() if isinstance(v, str) else (str(v) if v != "" else "")
            if len(v) > max_len:
                err(key, f"超过{max_len}字")
            return v

        legacy = text("legacy_reg_no", 64)
        if not legacy:
            err("legacy_reg_no", "原登记编号为空")
        received = parse_when(val("received_at"))
        if val("received_at") in ("", None):
            err("received_at", "日期为空")
        elif received is None:
            err("received_at", f"日期无法识别：“{val('received_at')}”（例：2023-05-01）")
        elif received > self.now:
            err("received_at", "日期晚于今天")

        channel = Channel.LETTER
        if text("channel", 20):
            channel = CHANNEL_WORDS.get(_norm(val("channel"))) or (val("channel") if val("channel") in Channel.values else None)
            if channel is None:
                err("channel", f"渠道无法识别：“{val('channel')}”")
        nature = Nature.REQUEST
        if text("nature", 20):
            nature = NATURE_WORDS.get(_norm(val("nature"))) or (val("nature") if val("nature") in Nature.values else None)
            if nature is None:
                err("nature", f"性质无法识别：“{val('nature')}”")

        category = None
        if not text("category", 64):
            err("category", "问题类别为空")
        else:
            category = self.lk.categories.get(_norm(val("category")))
            if category is None:
                err("category", f"系统中没有该问题类别：“{val('category')}”")
        region = None
        if not text("region", 64):
            err("region", "问题发生地为空")
        else:
            key = _norm(val("region"))
            if key in self.lk.regions and self.lk.regions[key] is None:
                err("region", f"地名“{val('region')}”有重名，请写上级乡镇名或区划代码")
            else:
                region = self.lk.regions.get(key)
                if region is None:
                    err("region", f"系统中没有该地名：“{val('region')}”")
        content = text("content", 20000)
        if not content:
            err("content", "主要问题为空")
        requests = text("requests", 20000)

        name = text("name", 64)
        id_number = text("id_number", 18).upper()
        if id_number and not id_number_valid(id_number):
            err("id_number", "身份证号码不正确（应为18位，末位校验码需正确）")
        phone = text("phone", 20)
        if phone and not re.fullmatch(r"[\d\-+ ]{7,20}", phone):
            err("phone", "电话号码格式不正确")
        address = text("address", 200)
        headcount = 1
        if val("headcount") not in ("", None):
            try:
                headcount = int(str(val("headcount")).strip())
                if headcount < 1:
                    raise ValueError
            except ValueError:
                err("headcount", "人数应为正整数")
                headcount = 1
        confidential = None
        conf_raw = _norm(val("confidential")).lower()
        if conf_raw in YES:
            confidential = True
        elif conf_raw and conf_raw in NO:
            confidential = False
        elif conf_raw:
            err("confidential", "保密一栏请填“是”或“否”")

        status = Status.REGISTERED
        if text("status", 20):
            status = STATUS_WORDS.get(_norm(val("status")))
            if status is None:
                err("status", f"办理状态无法识别：“{val('status')}”")
                status = Status.REGISTERED
        unit = None
        if text("handling_unit", 100):
            unit = self.lk.units.get(_norm(val("handling_unit")))
            if unit is None:
                err("handling_unit", f"系统中没有该单位：“{val('handling_unit')}”")
        elif status in (Status.ASSIGNED, Status.IN_PROGRESS):
            err("handling_unit", "已交办/办理中的件须写明承办单位")
        replied_at = self._date(val, err, "replied_at", received)
        archived_at = self._date(val, err, "archived_at", replied_at or received)
        satisfaction = ""
        if text("satisfaction", 10):
            satisfaction = SATISFACTION_WORDS.get(_norm(val("satisfaction")), "")
            if not satisfaction:
                err("satisfaction", "满意度请填“满意”“基本满意”或“不满意”")
        reply_text = text("reply_text", 20000)
        if status in (Status.REPLIED, Status.EVALUATED, Status.ARCHIVED) and replied_at is None and not errors:
            if status != Status.ARCHIVED:
                err("replied_at", "已答复的件须有答复日期")
        if status == Status.EVALUATED and not satisfaction:
            err("satisfaction", "已评价的件须有满意度")
        if satisfaction and replied_at is None and not any(e["column"] == self.mapping.get("replied_at") for e in errors):
            err("replied_at", "有满意度评价的件须有答复日期")
        if status == Status.REGISTERED and replied_at is not None:
            status = Status.EVALUATED if satisfaction else Status.REPLIED
        if status == Status.ARCHIVED and archived_at is None:
            archived_at = replied_at or received
        if not name and not errors:
            pass  # anonymous register rows are allowed (匿名来信)

        if errors:
            return None, errors
        register = {
            "channel": channel,
            "received_at": received,
            "petitioners": [{"name": name, "id_number": id_number, "phone": phone, "address": address}] if name else [],
            "anonymous": not name,
            "nature": nature,
            "category": category,
            "content": content,
            "requests": requests,
            "region": region,
            "headcount": headcount,
            "confidential": confidential,
        }
        history = {
            "status": status,
            "handling_unit": unit,
            "replied_at": replied_at,
            "reply_text": reply_text,
            "satisfaction": satisfaction,
            "archived_at": archived_at,
        }
        return ParsedRow(row=n, legacy_reg_no=legacy, register=register, history=history), []

    def _date(self, val, err, key, not_before):
        raw = val(key)
        if raw in ("", None):
            return None
        when = parse_when(raw)
        if when is None:
            err(key, f"日期无法识别：“{raw}”（例：2023-05-01）")
        elif when > self.now + timedelta(minutes=10):
            err(key, "日期晚于今天")
        elif not_before is not None and when < not_before - timedelta(days=1):
            err(key, "日期早于收到日期")
        else:
            return when
        return None
