"""Reading legacy petition registers (.xlsx/.csv) as counties keep them, and turning each row into registration inputs.

Pure functions (no writes):
- `grids.read_grid` the cells as they stand; `detect_header_row` finds the header among title rows, merged title cells,
  blank lines (the clerk can choose another row on the page); `read_table` the rows under it, leaving out blank lines,
  subtotal rows (合计/小计/总计) and one-cell notes (制表人：…), which it counts;
- `guess_mapping` our field → the file's header (saved per source);
- `value_choices` the distinct values of the coded columns with what each is taken to mean (is/否, status words, unit
  and place aliases with fuzzy suggestions), which the clerk confirms or changes (saved per source);
- `row_reader.RowReader` one mapped row → the keyword arguments of `registration.prepare_registration`, its history as the
  register records it, and the row's errors and warnings in Chinese (column = the file's header).

Every cell is NFKC-normalised as it is read: full-width digits and letters (１３９…, ＡＨ２０１９) become ASCII, so the
numbers, dates, phones and ID numbers of the register match what the window and the API store.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from xinfang.core import inputs
from xinfang.core.errors import InvalidInput
from xinfang.core.uploads import SPREADSHEET_MAX_ROWS, too_many_rows_message
from xinfang.org.models import Region, Unit
from xinfang.petitions.models import Category, Channel, Nature, Satisfaction, Status
from xinfang.transfer.grids import clean_cell, raw_rows, read_grid


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    coded: bool = False  # its values are mapped onto our codes (the values page)


# Our fields, in the order the mapping page shows them. Aliases are header names seen in county registers.
FIELDS: list[FieldSpec] = [
    FieldSpec(
        "legacy_reg_no",
        "原登记编号",
        True,
        ("登记编号", "编号", "登记号", "原编号", "信访编号", "信访登记编号", "件号", "来信编号", "来访编号", "案件编号"),
    ),
    FieldSpec(
        "received_at",
        "收到/登记日期",
        True,
        ("收到时间", "登记日期", "登记时间", "来信来访日期", "日期", "收信日期", "来访日期", "来信日期", "受理日期", "信访日期"),
    ),
    FieldSpec(
        "channel",
        "渠道",
        False,
        ("信访形式", "来源", "方式", "信访方式", "来信来访", "信访渠道"),
        "来信/来访/来电/网上信访…，空则按来信",
        True,
    ),
    FieldSpec("name", "信访人姓名", False, ("姓名", "信访人", "反映人", "来访人", "来信人", "信访人姓名")),
    FieldSpec("id_number", "身份证号", False, ("身份证号码", "证件号码", "身份证", "公民身份号码")),
    FieldSpec("phone", "联系电话", False, ("电话", "手机", "联系方式", "手机号", "电话号码")),
    FieldSpec("address", "住址", False, ("地址", "家庭住址", "通讯地址", "住所")),
    FieldSpec("headcount", "人数", False, ("来访人数", "人次")),
    FieldSpec("nature", "性质", False, ("信访性质", "类型", "信访类型"), "检举控告/申诉/求决/意见建议/咨询，空则按求决", True),
    FieldSpec("category", "问题类别", True, ("类别", "问题分类", "内容分类", "问题类型", "信访类别"), "", True),
    FieldSpec(
        "region",
        "问题发生地",
        False,
        ("发生地", "所属乡镇", "乡镇", "地区", "区域", "所在乡镇", "乡镇（街道）", "问题属地", "属地"),
        "乡镇或村；空则按全县登记（该行给出提示）",
        True,
    ),
    FieldSpec("content", "主要问题", True, ("反映问题", "内容", "主要内容", "信访内容", "问题", "反映内容", "信访事项", "主要诉求及问题")),
    FieldSpec("requests", "诉求", False, ("信访诉求", "要求")),
    FieldSpec("confidential", "保密", False, ("是否保密",), "是/否，空则检举控告件保密", True),
    FieldSpec(
        "status",
        "办理状态",
        False,
        ("状态", "办理情况", "办结情况", "是否办结", "办理结果状态", "结案情况"),
        "已办结的作为已归档的历史记录；未办结的进入“历史待办”",
        True,
    ),
    FieldSpec("handling_unit", "承办单位", False, ("责任单位", "交办单位", "办理单位", "承办部门", "转交单位"), "", True),
    FieldSpec("replied_at", "答复日期", False, ("答复时间", "办结日期", "办结时间", "回复日期")),
    FieldSpec("reply_text", "答复意见", False, ("处理意见", "答复内容", "办理结果", "处理结果", "答复情况")),
    FieldSpec("satisfaction", "满意度", False, ("评价", "群众评价", "满意度评价", "是否满意"), "满意/基本满意/不满意", True),
    FieldSpec("archived_at", "归档日期", False, ("归档时间", "结案日期")),
]
FIELD_BY_KEY = {f.key: f for f in FIELDS}
CODED = [f.key for f in FIELDS if f.coded]
MAX_ERRORS = 1000
MAX_WARNINGS = 1000
HEADER_SCAN_ROWS = 20

# What a status word in a register means. "closed" = 已办结 in any form: it comes in archived (a historical record).
CLOSED = "closed"
STATUS_CHOICES = [
    (Status.REGISTERED, "未办理（已登记）"),
    (Status.ACCEPTED, "已受理，未交办"),
    (Status.ASSIGNED, "已交办，未签收"),
    (Status.IN_PROGRESS, "办理中"),
    (CLOSED, "已办结（作为已归档的历史记录）"),
    (Status.DECLINED, "不予受理"),
    (Status.FORWARDED, "已转送"),
]
STATUS_WORDS = {
    "已登记": Status.REGISTERED,
    "登记": Status.REGISTERED,
    "待受理": Status.REGISTERED,
    "未办理": Status.REGISTERED,
    "已受理": Status.ACCEPTED,
    "受理": Status.ACCEPTED,
    "已交办": Status.ASSIGNED,
    "交办": Status.ASSIGNED,
    "办理中": Status.IN_PROGRESS,
    "在办": Status.IN_PROGRESS,
    "正在办理": Status.IN_PROGRESS,
    "未办结": Status.IN_PROGRESS,
    "已答复": CLOSED,
    "已办结": CLOSED,
    "办结": CLOSED,
    "已结案": CLOSED,
    "结案": CLOSED,
    "已评价": CLOSED,
    "已归档": CLOSED,
    "归档": CLOSED,
    "不予受理": Status.DECLINED,
    "已转送": Status.FORWARDED,
    "转送": Status.FORWARDED,
    "转办": Status.FORWARDED,
}
YES_NO_CHOICES = [("yes", "是"), ("no", "否")]
YES = {"是", "y", "yes", "true", "1", "保密", "√", "✓"}
NO = {"否", "n", "no", "false", "0", "不保密", "×", "✗"}

CHANNEL_WORDS = {label: code for code, label in Channel.choices} | {"信": Channel.LETTER, "访": Channel.VISIT, "电话": Channel.PHONE}
CHANNEL_WORDS |= {
    "网信": Channel.ONLINE,
    "网上": Channel.ONLINE,
    "网络": Channel.ONLINE,
    "领导信箱": Channel.MAILBOX,
    "书信": Channel.LETTER,
}
CHANNEL_WORDS |= {"走访": Channel.VISIT, "电访": Channel.PHONE, "12345": Channel.PHONE, "上级转办": Channel.FROM_SUPERIOR}
NATURE_WORDS = {label: code for code, label in Nature.choices} | {"检举": Nature.REPORT, "控告": Nature.REPORT, "建议": Nature.SUGGESTION}
NATURE_WORDS |= {"投诉": Nature.REQUEST, "求助": Nature.REQUEST, "意见": Nature.SUGGESTION}
SATISFACTION_WORDS = {label: code for code, label in Satisfaction.choices} | {"较满意": Satisfaction.BASICALLY_SATISFIED}
SATISFACTION_WORDS |= {"是": Satisfaction.SATISFIED, "否": Satisfaction.DISSATISFIED}
SUBTOTAL = re.compile(r"^(合\s*计|小\s*计|总\s*计|累\s*计|本[月页年]合计)")


_KNOWN_HEADERS = {name for f in FIELDS for name in (f.label, *f.aliases)} | {"序号", "备注", "编号"}


def _header_score(cells: list) -> float:
    texts = [str(c).strip() for c in cells if isinstance(c, str) and str(c).strip()]
    if len(texts) < 3:  # a title (one merged cell), a note, a blank line
        return 0.0
    known = sum(1 for t in texts if re.sub(r"\s+", "", t) in _KNOWN_HEADERS)
    dates = sum(1 for c in cells if isinstance(c, (date, datetime)))
    longish = sum(1 for t in texts if len(t) > 20)  # a data row carries long text; header cells are short
    return known * 3 + len(texts) * 0.2 - dates * 2 - longish * 2


def detect_header_row(grid: list[list]) -> int:
    """The header's row number (1-based) among the first rows: the row with three or more short text cells that
    names the most of our fields' headers (title rows, merged title cells, units lines and blank lines score 0)."""
    best, best_score = 0, 0.0
    for n, row in enumerate(grid[:HEADER_SCAN_ROWS], start=1):
        score = _header_score(row)
        if score > best_score:
            best, best_score = n, score
    if best == 0:
        for n, row in enumerate(grid, start=1):  # nothing looks like a header: the first non-empty row
            if any(c != "" for c in row):
                return n
        raise InvalidInput("文件是空的（没有表头行）", fields={"file": ["文件是空的"]})
    return best


def _header_names(cells: list) -> list[str]:
    """Header texts; an empty header cell is named by its column (第3列), a repeated one numbered (备注（2）)."""
    names, seen = [], {}
    for i, c in enumerate(cells, start=1):
        h = re.sub(r"\s+", "", str(c)) if c != "" else ""
        h = h or f"第{i}列"
        if h in seen:
            seen[h] += 1
            h = f"{h}（{seen[h]}）"
        else:
            seen[h] = 1
        names.append(h)
    while names and re.fullmatch(r"第\d+列", names[-1]):  # trailing empty columns
        names.pop()
    return names


@dataclass
class Table:
    headers: list[str]
    header_row: int
    rows: object  # iterator of (row number, {header: value})
    skipped: list = field(default_factory=list)  # [(row number, why)] filled while iterating


def read_table(data: bytes, extension: str, header_row: int | None = None) -> Table:
    """The header row (detected, or the one chosen) and an iterator over the rows under it as (row number as the
    spreadsheet shows it, {header: value}). Blank lines, subtotal rows and one-cell notes are left out and listed in
    `skipped` as the iterator passes them."""
    if header_row is None:
        header_row = detect_header_row(read_grid(data, extension, HEADER_SCAN_ROWS))
    if header_row < 1:
        raise InvalidInput("表头行号无效", fields={"header_row": ["表头行号无效"]})
    it = raw_rows(data, extension)
    header_cells = None
    for n, raw in enumerate(it, start=1):
        if n == header_row:
            header_cells = [clean_cell(c) for c in raw]
            break
    if header_cells is None or not any(c != "" for c in header_cells):
        raise InvalidInput(f"第{header_row}行是空的，不能作为表头", fields={"header_row": ["该行是空行"]})
    headers = _header_names(header_cells)
    table = Table(headers=headers, header_row=header_row, rows=None)

    def rows():
        for n, raw in enumerate(it, start=header_row + 1):
            if n - header_row > SPREADSHEET_MAX_ROWS:  # a CSV, or a sheet without <dimension>
                raise InvalidInput(too_many_rows_message(), fields={"file": ["行数过多"]})
            values = [clean_cell(c) for c in raw]
            filled = [v for v in values if v != ""]
            if not filled:
                continue
            if any(isinstance(v, str) and SUBTOTAL.match(v) for v in filled[:3]):
                table.skipped.append((n, "合计/小计行"))
                continue
            if len(filled) == 1 and len(headers) > 2:
                table.skipped.append((n, "说明行（只有一格有内容）"))
                continue
            yield n, {h: (values[i] if i < len(values) else "") for i, h in enumerate(headers)}

    table.rows = rows()
    return table


def count_rows(data: bytes, extension: str, header_row: int | None = None) -> int:
    return sum(1 for _ in read_table(data, extension, header_row).rows)


def guess_mapping(headers: list[str], saved: dict | None = None) -> dict:
    """Our field -> header: the saved mapping where its header still exists, else a header named like the field."""
    saved = saved or {}
    out: dict[str, str] = {}
    used: set[str] = set()
    for f in FIELDS:
        if saved.get(f.key) in headers:
            out[f.key] = saved[f.key]
            used.add(saved[f.key])
    for f in FIELDS:
        if f.key in out:
            continue
        for name in (f.label, *f.aliases):
            if name in headers and name not in used:
                out[f.key] = name
                used.add(name)
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
    re.compile(
        r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*[ T]?\s*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?秒?)?$"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
EXCEL_EPOCH = datetime(1899, 12, 30)


def parse_when(value) -> datetime | None:
    """A date or datetime from a cell: Excel dates and serial numbers, 2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日,
    2023年5月1日 10时30分, 20230501, with full-width digits too (local time; a date alone means 09:00)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time(9, 0))
    else:
        text = inputs.identifier(value)
        dt = None
        if re.fullmatch(r"\d{5}(\.\d+)?", text) and 20000 < float(text) < 80000:  # an Excel serial day read as text
            dt = EXCEL_EPOCH + timedelta(days=float(text))
            if dt.time() == time(0, 0):
                dt = dt.replace(hour=9)
        for pattern in _DATE_PATTERNS if dt is None else ():
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
    if not (1949 <= dt.year <= 2100):
        return None
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


def normalise(value) -> str:
    return re.sub(r"\s+", "", inputs.identifier(value))


_UNIT_SUFFIXES = ("人民政府", "政府", "办事处")


def _subsequence(short: str, long: str) -> bool:
    """Chinese abbreviations keep their characters in order: 县住建局 ⊂ 县住房和城乡建设局, 城关镇政府 ⊂ 城关镇人民政府."""
    it = iter(long)
    return all(ch in it for ch in short)


def fuzzy_suggestions(value: str, names: dict[str, object], *, limit: int = 3) -> list[tuple[object, float]]:
    """The objects whose names are nearest to `value`, best first, with a score 0–1: an abbreviation kept in order
    (subsequence) scores high, otherwise difflib's ratio; below 0.5 nothing is suggested."""
    key = normalise(value)
    if not key:
        return []
    scored: dict[int, tuple[object, float]] = {}
    for name, obj in names.items():
        if obj is None:
            continue
        ratio = difflib.SequenceMatcher(None, key, name).ratio()
        if len(key) >= 3 and key[-1] == name[-1] and _subsequence(key, name):
            ratio = max(ratio, 0.75 + 0.25 * len(key) / len(name))
        if ratio >= 0.5 and (id(obj) not in scored or scored[id(obj)][1] < ratio):
            scored[id(obj)] = (obj, ratio)
    return sorted(scored.values(), key=lambda x: -x[1])[:limit]


@dataclass
class Lookups:
    """Reference data loaded once per import (codes and names)."""

    categories: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    county: Region | None = None

    @classmethod
    def load(cls) -> Lookups:
        lk = cls()
        for c in Category.objects.filter(active=True):
            lk.categories[normalise(c.code)] = c
            lk.categories.setdefault(normalise(c.name), c)
        names: dict[str, list] = {}
        for r in Region.objects.select_related("parent"):
            lk.regions[normalise(r.code)] = r
            names.setdefault(normalise(r.name), []).append(r)
            if r.parent_id:
                lk.regions.setdefault(normalise(r.parent.name + r.name), r)
            else:
                lk.county = lk.county or r
        for name, found in names.items():
            lk.regions.setdefault(name, found[0] if len(found) == 1 else None)  # None: ambiguous name
        for u in Unit.objects.filter(active=True):
            lk.units[normalise(u.code)] = u
            lk.units.setdefault(normalise(u.name), u)
        return lk

    def pool(self, key: str) -> dict:
        return {"category": self.categories, "region": self.regions, "handling_unit": self.units}[key]


# The codes a coded field's values may be mapped onto, for the values page: [(code, label)].
def target_choices(key: str, lookups: Lookups) -> list[tuple[str, str]]:
    if key == "status":
        return [(str(c), label) for c, label in STATUS_CHOICES]
    if key == "channel":
        return [(c, label) for c, label in Channel.choices]
    if key == "nature":
        return [(c, label) for c, label in Nature.choices]
    if key == "satisfaction":
        return [(c, label) for c, label in Satisfaction.choices]
    if key == "confidential":
        return YES_NO_CHOICES
    if key == "category":
        return [(c.code, c.name) for c in sorted({id(c): c for c in lookups.categories.values()}.values(), key=lambda c: c.code)]
    if key == "handling_unit":
        return [(u.code, u.name) for u in sorted({id(u): u for u in lookups.units.values()}.values(), key=lambda u: u.name)]
    if key == "region":
        regions = {id(r): r for r in lookups.regions.values() if r is not None}.values()
        return [(r.code, r.full_name) for r in sorted(regions, key=lambda r: r.path)]
    return []


def known_value(key: str, raw: str, lookups: Lookups) -> str | None:
    """What a value means without the clerk's help: a code (str) or None (unknown, or an ambiguous place name)."""
    word = normalise(raw)
    if not word:
        return None
    if key == "status":
        found = STATUS_WORDS.get(word)
        return str(found) if found is not None else None
    if key == "channel":
        return CHANNEL_WORDS.get(word) or (word if word in Channel.values else None)
    if key == "nature":
        return NATURE_WORDS.get(word) or (word if word in Nature.values else None)
    if key == "satisfaction":
        return SATISFACTION_WORDS.get(word) or (word if word in Satisfaction.values else None)
    if key == "confidential":
        return "yes" if word.lower() in YES else ("no" if word.lower() in NO else None)
    obj = lookups.pool(key).get(word)
    return obj.code if obj is not None else None


def suggest_value(key: str, raw: str, lookups: Lookups) -> tuple[str, str]:
    """(code, why) the page pre-selects for a value it does not know: 是/否 in a status column, the nearest name."""
    word = normalise(raw)
    if key == "status" and word in YES | {"已结"}:
        return CLOSED, "“是”按已办结"
    if key == "status" and word in NO | {"未结"}:
        return str(Status.IN_PROGRESS), "“否”按办理中"
    if key in ("category", "region", "handling_unit"):
        pool = lookups.pool(key)
        if key == "handling_unit":
            for suffix in _UNIT_SUFFIXES:  # 城关镇政府 → 城关镇人民政府 and the like
                if word.endswith(suffix):
                    stem = word[: -len(suffix)]
                    for name, unit in pool.items():
                        if unit is not None and name.startswith(stem) and name.endswith(_UNIT_SUFFIXES):
                            return unit.code, f"近似：{unit.name}"
        if key == "region" and word in lookups.regions and lookups.regions[word] is None:
            return "", "重名地名，请选择"
        found = fuzzy_suggestions(raw, pool)
        if found:
            obj, score = found[0]
            label = obj.full_name if key == "region" else obj.name
            return obj.code, f"近似：{label}（相似度 {int(score * 100)}%）"
    return "", ""


def value_choices(rows, mapping: dict, saved: dict | None, lookups: Lookups, *, limit: int = 200) -> dict[str, list[dict]]:
    """For each mapped coded field: [{raw, count, code, why, known}] of its distinct values (at most `limit` each,
    the most frequent first): the saved choice for this source, else what is known, else a suggestion."""
    saved = saved or {}
    counts: dict[str, dict[str, int]] = {k: {} for k in CODED if mapping.get(k)}
    for _n, raw in rows:
        for key in counts:
            v = raw.get(mapping[key], "")
            v = v if isinstance(v, str) else str(v)
            if v.strip():
                counts[key][v.strip()] = counts[key].get(v.strip(), 0) + 1
    out: dict[str, list[dict]] = {}
    for key, values in counts.items():
        items = []
        for raw_value, count in sorted(values.items(), key=lambda kv: -kv[1])[:limit]:
            known = known_value(key, raw_value, lookups)
            chosen = (saved.get(key) or {}).get(raw_value)
            if chosen is not None:
                items.append({"raw": raw_value, "count": count, "code": chosen, "why": "按上次保存的对应", "known": known is not None})
            elif known is not None:
                items.append({"raw": raw_value, "count": count, "code": known, "why": "", "known": True})
            else:
                code, why = suggest_value(key, raw_value, lookups)
                items.append({"raw": raw_value, "count": count, "code": code, "why": why, "known": False})
        out[key] = items
    return out


def check_values(values: dict, lookups: Lookups) -> dict[str, dict[str, str]]:
    """The clerk's value mapping, cleaned: {field: {raw value: code}} with codes that exist ("" = leave unmapped)."""
    cleaned: dict[str, dict[str, str]] = {}
    errors = {}
    for key, pairs in (values or {}).items():
        if key not in CODED:
            continue
        allowed = {c for c, _ in target_choices(key, lookups)}
        for raw_value, code in (pairs or {}).items():
            code = (code or "").strip()
            if not code:
                continue
            if code not in allowed:
                errors[key] = [f"“{raw_value}”对应的取值无效"]
                continue
            cleaned.setdefault(key, {})[str(raw_value).strip()] = code
    if errors:
        raise InvalidInput("取值对应有误：" + "；".join(f"{FIELD_BY_KEY[k].label}：{v[0]}" for k, v in errors.items()), fields=errors)
    return cleaned
