"""Loading a year's State Council holiday notice in one step (the settings page and `manage.py load_holidays --file`).

`chinesecalendar` knows the notices only up to 2026, so each later year's 放假安排 is data the office enters: pasted as
lines, checked all or nothing, written as Holiday rows through the same admin log as a single day's change
(`timelimits.holiday_set`).
"""

from __future__ import annotations

from datetime import date

from .models import Holiday
from .timelimits import _log, _require_admin, clear_cache

# Lines: "2027-01-01,休,元旦" or a range "2027-10-01~2027-10-07,休,国庆节"; a make-up workday "2027-02-06,班,春节".
# Kind: 休/放假/holiday = a day off, 班/上班/workday = a make-up workday. Blank lines and lines starting with # are skipped.
OFF_WORDS = {"休", "放假", "假", "holiday", "off"}
ON_WORDS = {"班", "上班", "补班", "调休上班", "workday", "work"}
FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
MAX_NOTICE_LINES = 400


def parse_holiday_notice(text: str) -> list[tuple[date, bool, str]]:
    """The days of a notice written as lines (see above): [(date, is_workday, name)], sorted. InvalidInput lists every bad line."""
    from datetime import timedelta

    from django.utils.dateparse import parse_date

    from xinfang.core.errors import InvalidInput

    text = (text or "").replace("\ufeff", "").replace("，", ",").replace("～", "~").replace("至", "~")
    lines = text.splitlines()
    if len(lines) > MAX_NOTICE_LINES:
        raise InvalidInput(f"一次最多 {MAX_NOTICE_LINES} 行", fields={"text": [f"一次最多 {MAX_NOTICE_LINES} 行"]})
    errors: list[str] = []
    days: dict[date, tuple[bool, str]] = {}

    def day_of(value: str, n: int):
        try:
            d = parse_date(value.strip())
        except ValueError:
            d = None
        if d is None or not 2000 <= d.year <= 2100:
            errors.append(f"第 {n} 行：日期“{value.strip()}”无效，应写作 2027-01-01")
        return d

    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [x.strip() for x in line.split(",")]
        if len(parts) < 2 or len(parts) > 3:
            errors.append(f"第 {n} 行：应为“日期,休或班,名称”，例如 2027-01-01,休,元旦")
            continue
        when, kind, name = parts[0], parts[1], parts[2] if len(parts) == 3 else ""
        if kind in OFF_WORDS:
            is_workday = False
        elif kind in ON_WORDS:
            is_workday = True
        else:
            errors.append(f"第 {n} 行：第二项应为“休”（放假）或“班”（调休上班），而不是“{kind}”")
            continue
        if len(name) > 32:
            errors.append(f"第 {n} 行：名称不超过 32 个字")
            continue
        if "~" in when:
            first, _sep, last = when.partition("~")
            start, end = day_of(first, n), day_of(last, n)
            if start is None or end is None:
                continue
            if end < start or (end - start).days > 31:
                errors.append(f"第 {n} 行：日期范围应从早到晚，且不超过 31 天")
                continue
        else:
            start = end = day_of(when, n)
            if start is None:
                continue
        d = start
        while d <= end:
            if is_workday and d.weekday() < 5:
                errors.append(f"第 {n} 行：{d:%Y-%m-%d} 是星期{'一二三四五'[d.weekday()]}，调休上班日应是周末（请检查日期）")
                break
            if d in days and days[d][0] != is_workday:
                errors.append(f"第 {n} 行：{d:%Y-%m-%d} 前面已写作{'上班' if days[d][0] else '放假'}，不能同时放假和上班")
            days[d] = (is_workday, name or ("调休上班" if is_workday else "节假日"))
            d += timedelta(days=1)
    if errors:
        raise InvalidInput(
            "放假安排有误，未录入任何一天：" + "；".join(errors[:10]) + ("……" if len(errors) > 10 else ""), fields={"text": errors}
        )
    if not days:
        raise InvalidInput("没有可录入的日期，请按“2027-01-01,休,元旦”每行一天（或一段）填写", fields={"text": ["没有日期"]})
    return sorted((d, w, name) for d, (w, name) in days.items())


def holidays_load(*, actor, text: str) -> dict:
    """Enter a State Council holiday notice in one step, all or nothing: every listed day becomes (or corrects) a Holiday row.

    Returns {"created", "updated", "unchanged", "years", "missing"}: `missing` names the usual festivals a year's lines lack
    (a reminder that a partial notice still makes the year "known").
    """
    from django.contrib.admin.models import ADDITION
    from django.db import transaction

    if actor is not None:
        _require_admin(actor)
    days = parse_holiday_notice(text)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {h.date: h for h in Holiday.objects.select_for_update().filter(date__in=[d for d, _w, _n in days])}
        for d, is_workday, name in days:
            row = existing.get(d)
            if row is None:
                Holiday.objects.create(date=d, is_workday=is_workday, name=name[:32])
                created += 1
            elif (row.is_workday, row.name) != (is_workday, name[:32]):
                row.is_workday, row.name = is_workday, name[:32]
                row.save(update_fields=["is_workday", "name"])
                updated += 1
            else:
                unchanged += 1
        years = sorted({d.year for d, _w, _n in days})
        if actor is not None and (created or updated):
            label = "、".join(str(y) for y in years)
            _log(
                actor,
                None,
                ADDITION,
                f"录入 {label} 年放假安排：新增 {created} 天，更正 {updated} 天",
                model=Holiday,
                object_repr=f"{label} 年节假日",
            )
    transaction.on_commit(clear_cache)
    clear_cache()
    missing = {}
    for y in years:
        names = {n for d, w, n in days if d.year == y and not w}
        lacking = [f for f in FESTIVALS if not any(f in n or n in f for n in names)]
        if lacking:
            missing[y] = lacking
    return {"created": created, "updated": updated, "unchanged": unchanged, "years": years, "missing": missing}
