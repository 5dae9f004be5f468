"""The checks of what people type, for every app: text, ID number, phone, date and time, number, choice, and a code or
username turned into the object it names. Services call these (pages, the API, the portal and imports all reach a
service), so a value is checked the same way whichever door it came in by.

Each check returns the clean value or raises `InvalidInput` with a Chinese message and the field it concerns: a bad
value is a 400 with its reason, never a 500.

Full-width digits and Latin letters (１２３, ＡＢＣ, typed with a Chinese input method) become ASCII in every text;
Chinese punctuation (，。：（）) is left as written. Identifiers (ID numbers, phones, codes) are NFKC-normalised whole.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date as _parse_date
from django.utils.dateparse import parse_datetime as _parse_datetime

from xinfang.core.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Iterable

    from xinfang.org.models import Unit, User

M = TypeVar("M", bound=models.Model)

TEXT_MAX = 20000
_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def bad(field: str, message: str, short: str | None = None) -> InvalidInput:
    """The error of one field: `message` for the page, `short` (or the message) beside the field."""
    return InvalidInput(message, fields={field: [short or message]})


def halfwidth(value: str) -> str:
    """Full-width digits and Latin letters as ASCII (NFKC of those characters only)."""
    return _FULLWIDTH_ALNUM.sub(lambda m: unicodedata.normalize("NFKC", m.group()), value)


def identifier(value: Any) -> str:
    """An identifier as typed, NFKC-normalised and stripped (full-width digits, letters and spaces become ASCII)."""
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


def text(value: Any, field: str, label: str, *, required: bool = True, max_len: int = TEXT_MAX) -> str:
    """Free text: stripped, full-width letters and digits made ASCII; refused when required and empty, or too long."""
    value = halfwidth(("" if value is None else str(value)).strip())
    if required and not value:
        raise bad(field, f"请填写{label}")
    if len(value) > max_len:
        raise bad(field, f"{label}过长（最多{max_len}字）", f"最多{max_len}字")
    return value


def choice(value: Any, choices: type[models.Choices] | Iterable[str], field: str, label: str) -> str:
    """One of the allowed codes (a TextChoices class or the codes themselves)."""
    allowed = choices.values if isinstance(choices, type) and issubclass(choices, models.Choices) else list(choices)
    value = "" if value is None else str(value)
    if value not in allowed:
        raise bad(field, f"{label}无效", f"请选择有效的{label}")
    return value


def integer(value: Any, field: str, label: str, *, low: int | None = None, high: int | None = None) -> int:
    """A whole number, within [low, high] when given."""
    try:
        number = int(identifier(value)) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise bad(field, f"请填写{label}（整数）") from None
    if (low is not None and number < low) or (high is not None and number > high):
        span = f"{low}至{high}" if low is not None and high is not None else (f"不小于{low}" if low is not None else f"不大于{high}")
        raise bad(field, f"{label}应为{span}", f"应为{span}")
    return number


# --------------------------------------------------------------------------- ID numbers (GB 11643-1999) and phones

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
ID_NUMBER_MESSAGE = "身份证号码不正确（应为18位，出生日期和末位校验码需正确）"


def id_check_char(first17: str) -> str:
    """The check character of GB 11643-1999 for the first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number_valid(value: str) -> bool:
    """GB 11643-1999: 17 digits, a real birth date in positions 7–14, and the check character."""
    value = identifier(value).upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:  # month 13, 30 February
        return False
    return id_check_char(value[:17]) == value[17]


def id_number(value: Any, field: str, *, required: bool = False, label: str = "身份证号") -> str:
    """An ID number, normalised (NFKC, upper-case x); "" when not required and not given."""
    value = identifier(value).upper()
    if not value:
        if required:
            raise bad(field, f"请填写{label}")
        return ""
    if not id_number_valid(value):
        raise bad(field, ID_NUMBER_MESSAGE)
    return value


_PHONE = re.compile(r"[\d\-+ ]{7,20}")


def phone_valid(value: str) -> bool:
    return bool(_PHONE.fullmatch(identifier(value)))


def phone(value: Any, field: str, *, required: bool = False, label: str = "联系电话") -> str:
    value = identifier(value)
    if not value:
        if required:
            raise bad(field, f"请填写{label}")
        return ""
    if not phone_valid(value):
        raise bad(field, "电话号码格式不正确")
    return value


# --------------------------------------------------------------------------- dates and times


def day(value: Any, field: str, label: str, *, required: bool = False) -> date | None:
    """A calendar day (YYYY-MM-DD, a date, or an aware datetime read in the site's zone). 2026-02-30 is refused, not a 500."""
    if value in (None, ""):
        if required:
            raise bad(field, f"请填写{label}")
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    try:
        parsed = _parse_date(identifier(value))
    except ValueError:  # well formed, but no such day
        raise bad(field, f"{label}不是有效的日期") from None
    if parsed is None:
        raise bad(field, f"{label}格式不正确（应为 年-月-日）", f"{label}格式不正确")
    return parsed


def moment(value: Any, field: str, label: str, *, required: bool = True) -> datetime | None:
    """A point in time (ISO 8601, or a day meaning its midnight in the site's zone); naive times are the site's zone."""
    if value in (None, ""):
        if required:
            raise bad(field, f"请填写{label}")
        return None
    if isinstance(value, str):
        raw = identifier(value)
        try:
            parsed = _parse_datetime(raw)
        except ValueError:
            raise bad(field, f"{label}不是有效的日期时间") from None
        if parsed is None:
            only_day = day(raw, field, label, required=True)
            assert only_day is not None
            parsed = datetime(only_day.year, only_day.month, only_day.day)
        value = parsed
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise bad(field, f"{label}格式不正确")
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# --------------------------------------------------------------------------- codes → objects


def by_code(model: type[M], value: Any, field: str, label: str, *, lookup: str = "code", active_only: bool = True) -> M:
    """The object a code names (a Unit, Region, Category, …). Inactive ones are refused like absent ones, with the same
    clear 400; `active_only` applies to models that have an `active` flag."""
    if isinstance(value, model):
        return value
    code = identifier(value)
    if not code:
        raise bad(field, f"请选择{label}")
    qs = model._default_manager.filter(**{lookup: code})
    if active_only and any(f.name == "active" for f in model._meta.get_fields()):
        qs = qs.filter(active=True)
    obj = qs.first()
    if obj is None:
        raise bad(field, f"{label}不存在", f"{label}不存在")
    return obj


def user(value: Any, field: str, label: str) -> User:
    """An active user, by username (or by id, as the page's select sends it)."""
    from xinfang.org.models import User

    if isinstance(value, User):
        return value
    name = identifier(value)
    if not name:
        raise bad(field, f"请选择{label}")
    found = User.objects.filter(username=name, is_active=True).select_related("unit").first()
    if found is None and name.isdigit():
        found = User.objects.filter(pk=int(name), is_active=True).select_related("unit").first()
    if found is None:
        raise bad(field, f"{label}不存在")
    return found


def unit(value: Any, field: str, label: str) -> Unit:
    from xinfang.org.models import Unit

    return by_code(Unit, value, field, label)
