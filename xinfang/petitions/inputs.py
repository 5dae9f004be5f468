"""Petition-specific shapes of input: a person as registration takes one, and event data made JSON-simple. The checks of
one value (text, ID number, phone, dates, choices, codes) are `xinfang.core.inputs`, shared by every app."""

from datetime import date, datetime

from xinfang.core import inputs
from xinfang.core.errors import InvalidInput


def clean_person(raw: dict | None, index: int, prefix: str, *, need_name: bool) -> dict:
    """A petitioner or representative: name (required unless anonymous), ID number and phone checked; every error of the
    person at once, under `prefix[index].field`."""
    raw = raw or {}
    errors: dict[str, list[str]] = {}
    out: dict[str, str] = {}
    key = f"{prefix}[{index}]."
    for name, label in (("name", "姓名"), ("address", "住址"), ("work_unit", "工作单位")):
        out[name] = inputs.text(raw.get(name), key + name, label, required=False)
    if need_name and not out["name"]:
        errors[key + "name"] = ["请填写姓名"]
    for name, check in (("id_number", inputs.id_number), ("phone", inputs.phone)):
        try:
            out[name] = check(raw.get(name), key + name)
        except InvalidInput as exc:
            errors.update(exc.fields)
    if len(out["name"]) > 64:
        errors[key + "name"] = ["姓名过长"]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    return out


def jsonable(data: dict) -> dict:
    """Event data as JSON-simple values: dates and times as ISO text, model instances as their text."""
    out = {}
    for k, v in data.items():
        if isinstance(v, (datetime, date)):
            out[k] = v.isoformat()
        elif hasattr(v, "pk"):
            out[k] = str(v)
        else:
            out[k] = v
    return out
