"""One mapped row of a legacy register → the keyword arguments of `registration.prepare_registration`, its history as
the register records it, and its errors and warnings in Chinese (column = the file's header). Values are read with
`importers` (what a status word, a unit or a place name means)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from xinfang.core import inputs
from xinfang.petitions.models import Channel, Nature, Status
from xinfang.transfer.importers import CLOSED, FIELD_BY_KEY, Lookups, known_value, normalise, parse_when


@dataclass
class ParsedRow:
    row: int
    legacy_reg_no: str
    register: dict  # keyword arguments for registration.prepare_registration (without actor)
    history: dict  # status, handling_unit, replied_at, reply_text, satisfaction, archived_at
    warnings: list = field(default_factory=list)


class RowReader:
    """Turns one mapped row into a ParsedRow, or a list of {row, column, reason}."""

    def __init__(self, mapping: dict, lookups: Lookups, *, values: dict | None = None, now: datetime | None = None):
        self.mapping = mapping
        self.lk = lookups
        self.values = values or {}
        self.now = now or timezone.now()
        self.units_by_code = {u.code: u for u in lookups.units.values() if u is not None}
        self.regions_by_code = {r.code: r for r in lookups.regions.values() if r is not None}
        self.categories_by_code = {c.code: c for c in lookups.categories.values() if c is not None}

    def code(self, key: str, raw) -> str | None:
        """The clerk's choice for this value, else what it is known to mean."""
        text = raw.strip() if isinstance(raw, str) else str(raw)
        chosen = self.values.get(key, {}).get(text)
        return chosen if chosen else known_value(key, text, self.lk)

    def read(self, n: int, raw: dict) -> tuple[ParsedRow | None, list[dict]]:
        errors: list[dict] = []
        warnings: list[dict] = []

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

        def coded(key, label, default=None):
            word = text(key, 100)
            if not word:
                return default
            found = self.code(key, word)
            if found is None:
                err(key, f"{label}“{word}”未对应到系统取值（请在“取值对应”中选择）")
            return found

        legacy = inputs.identifier(text("legacy_reg_no", 64))
        if not legacy:
            err("legacy_reg_no", "原登记编号为空")
        received = parse_when(val("received_at"))
        if val("received_at") in ("", None):
            err("received_at", "日期为空")
        elif received is None:
            err("received_at", f"日期无法识别：“{val('received_at')}”（例：2023-05-01）")
        elif received > self.now:
            err("received_at", "日期晚于今天")

        channel = coded("channel", "渠道", Channel.LETTER)
        nature = coded("nature", "性质", Nature.REQUEST)
        category_code = coded("category", "问题类别")
        if not text("category", 64):
            err("category", "问题类别为空")
        category = self.categories_by_code.get(category_code) if category_code else None
        region = None
        if self.mapping.get("region") and text("region", 100):
            key = normalise(val("region"))
            if key in self.lk.regions and self.lk.regions[key] is None and not self.values.get("region", {}).get(val("region").strip()):
                err("region", f"地名“{val('region')}”有重名，请在“取值对应”中选择或写上级乡镇名")
            else:
                code = self.code("region", val("region"))
                region = self.regions_by_code.get(code) if code else None
                if region is None:
                    err("region", f"地名“{val('region')}”未对应到系统中的地方（请在“取值对应”中选择）")
        else:
            region = self.lk.county
            warnings.append({"row": n, "column": self.mapping.get("region") or "问题发生地", "reason": "未写问题发生地，按全县登记"})
        content = text("content", 20000)
        if not content:
            err("content", "主要问题为空")
        requests = text("requests", 20000)

        name = text("name", 64)
        id_number = inputs.identifier(text("id_number", 18)).upper()
        if id_number and not inputs.id_number_valid(id_number):
            err("id_number", inputs.ID_NUMBER_MESSAGE)
        phone = inputs.identifier(text("phone", 20))
        if phone and not inputs.phone_valid(phone):
            err("phone", "电话号码格式不正确")
        address = text("address", 200)
        headcount = 1
        if val("headcount") not in ("", None):
            try:
                headcount = int(inputs.identifier(val("headcount")))
                if headcount < 1:
                    raise ValueError
            except ValueError:
                err("headcount", "人数应为正整数")
                headcount = 1
        confidential = None
        conf = coded("confidential", "保密")
        if conf is not None:
            confidential = conf == "yes"

        status = coded("status", "办理状态", str(Status.REGISTERED)) or str(Status.REGISTERED)
        unit = None
        unit_code = coded("handling_unit", "承办单位")
        if unit_code:
            unit = self.units_by_code.get(unit_code)
        elif status in (Status.ASSIGNED, Status.IN_PROGRESS) and not text("handling_unit", 100):
            # Assigned or in progress needs a unit to act on it: without one the record waits to be assigned.
            status = str(Status.ACCEPTED)
            warnings.append(
                {
                    "row": n,
                    "column": self.mapping.get("handling_unit") or "承办单位",
                    "reason": "办理中但未写承办单位，按已受理（待交办）导入",
                }
            )
        replied_at = self._date(val, err, "replied_at", received)
        archived_at = self._date(val, err, "archived_at", replied_at or received)
        satisfaction = coded("satisfaction", "满意度", "") or ""
        reply_text = text("reply_text", 20000)
        if status not in (CLOSED,) and replied_at is not None:
            status = CLOSED  # a reply date in the register: the matter was answered
        if errors:
            return None, errors
        register = {
            "channel": channel,
            "received_at": received,
            "registered_at": received,
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
            "status_word": text("status", 100),
            "handling_unit": unit,
            "replied_at": replied_at,
            "reply_text": reply_text,
            "satisfaction": satisfaction,
            "archived_at": archived_at,
        }
        return ParsedRow(row=n, legacy_reg_no=legacy, register=register, history=history, warnings=warnings), []

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
