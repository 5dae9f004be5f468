"""Validating and coercing the inputs of petition services: ID numbers, dates, texts, choices, people, users and units.

Every function raises `InvalidInput` with a Chinese message and the field it concerns."""

import re
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from xinfang.core.errors import InvalidInput
from xinfang.org.models import Unit, User

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


_ID_CHECK = "10X98765432"


def id_number_valid(value: str) -> bool:
    """GB 11643-1999: 17 digits, a check character, and a plausible birth date."""
    value = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _phone_valid(value: str) -> bool:
    return bool(re.fullmatch(r"[\d\-+ ]{7,20}", value))


def _as_datetime(value, field: str, label: str, *, required: bool = True):
    if value in (None, ""):
        if required:
            raise InvalidInput(f"请填写{label}", fields={field: [f"请填写{label}"]})
        return None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            d = parse_date(value)
            parsed = datetime(d.year, d.month, d.day) if d else None
        if parsed is None:
            raise InvalidInput(f"{label}格式不正确", fields={field: [f"{label}格式不正确"]})
        value = parsed
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _as_date(value, field: str, label: str, *, required: bool = False):
    if value in (None, ""):
        if required:
            raise InvalidInput(f"请填写{label}", fields={field: [f"请填写{label}"]})
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    d = parse_date(str(value))
    if d is None:
        raise InvalidInput(f"{label}格式不正确", fields={field: [f"{label}格式不正确"]})
    return d


def _text(value, field: str, label: str, *, required: bool = True, max_len: int = 20000) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}", fields={field: [f"请填写{label}"]})
    if len(value) > max_len:
        raise InvalidInput(f"{label}过长（最多{max_len}字）", fields={field: [f"最多{max_len}字"]})
    return value


def _choice(value, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise InvalidInput(f"{label}无效", fields={field: [f"请选择有效的{label}"]})
    return value


def _clean_person(raw: dict, index: int, prefix: str, *, need_name: bool) -> dict:
    raw = raw or {}
    out = {k: ((raw.get(k) or "") if not isinstance(raw.get(k), str) else raw.get(k).strip()) for k in ("name", "id_number", "phone")}
    out["address"] = (raw.get("address") or "").strip()
    out["work_unit"] = (raw.get("work_unit") or "").strip()
    errors = {}
    if need_name and not out["name"]:
        errors[f"{prefix}[{index}].name"] = ["请填写姓名"]
    if out["id_number"]:
        out["id_number"] = out["id_number"].upper()
        if not id_number_valid(out["id_number"]):
            errors[f"{prefix}[{index}].id_number"] = ["身份证号码不正确（应为18位，末位校验码需正确）"]
    if out["phone"] and not _phone_valid(out["phone"]):
        errors[f"{prefix}[{index}].phone"] = ["电话号码格式不正确"]
    if len(out["name"]) > 64:
        errors[f"{prefix}[{index}].name"] = ["姓名过长"]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    return out


def _jsonable(data: dict) -> dict:
    out = {}
    for k, v in data.items():
        if isinstance(v, datetime):
            out[k] = v.isoformat()
        elif isinstance(v, date):
            out[k] = v.isoformat()
        elif hasattr(v, "pk"):
            out[k] = str(v)
        else:
            out[k] = v
    return out


def _user_input(value, field: str, label: str) -> User:
    if isinstance(value, User):
        return value
    if value in (None, ""):
        raise InvalidInput(f"请选择{label}", fields={field: [f"请选择{label}"]})
    user = User.objects.filter(username=str(value), is_active=True).select_related("unit").first()
    if user is None and str(value).isdigit():
        user = User.objects.filter(pk=int(value), is_active=True).select_related("unit").first()
    if user is None:
        raise InvalidInput(f"{label}不存在", fields={field: [f"{label}不存在"]})
    return user


def _unit_input(value, field: str, label: str) -> Unit:
    if isinstance(value, Unit):
        return value
    if value in (None, ""):
        raise InvalidInput(f"请选择{label}", fields={field: [f"请选择{label}"]})
    unit = Unit.objects.filter(code=str(value), active=True).first()
    if unit is None:
        raise InvalidInput(f"{label}不存在", fields={field: [f"{label}不存在"]})
    return unit
