"""The worklist page's own wording and columns: a heading that says what is listed, the petitioner as the access
policy shows them (masked unless the actor holds the identity right; an unmasked list is logged like any view)."""

from django.db.models import prefetch_related_objects

from xinfang.access import policy
from xinfang.petitions.models import Channel, Status

FILTER_WORDS = {
    "status": ("状态", dict(Status.choices)),
    "channel": ("渠道", dict(Channel.choices)),
}


def heading(bucket, cleaned: dict, categories: dict) -> tuple[str, str]:
    """(heading, what it lists) for the bucket and the filters in force."""
    parts = []
    q = (cleaned.get("q") or "").strip()
    if q:
        parts.append(f"搜索“{q}”")
    for key, (word, labels) in FILTER_WORDS.items():
        if cleaned.get(key):
            parts.append(f"{word}：{labels.get(cleaned[key], cleaned[key])}")
    if cleaned.get("category"):
        parts.append(f"类别：{categories.get(cleaned['category'], cleaned['category'])}")
    start, end = cleaned.get("registered_from"), cleaned.get("registered_to")
    if start or end:
        parts.append(f"登记{f'自 {start:%Y-%m-%d}' if start else ''}{f' 至 {end:%Y-%m-%d}' if end else ''}")
    if bucket is not None:
        title = bucket.label
        scope = f"待办分类“{bucket.label}”中的信访件"
    elif parts:
        title = "查询结果"
        scope = "您可查看的全部信访件（含已办结、已归档）中"
    else:
        title = "全部信访件"
        scope = "您可查看的全部信访件，含已办结、已归档；点上方分类只看待办"
    if parts:
        scope += "，" + "，".join(parts)
    return title, scope


def petitioners(actor, petitions: list, *, path: str) -> dict[int, str]:
    """{petition pk: "张** 138****5678 等2人"} as the policy lets the actor see them; "匿名" for an anonymous petition."""
    prefetch_related_objects(petitions, "petitioners")
    identities = policy.identities_for_list(actor, petitions, purpose="待办列表", path=path)
    out = {}
    for p in petitions:
        people = [d for d in identities.get(p.pk, []) if not d.get("is_representative")] or identities.get(p.pk, [])
        if p.anonymous or not people:
            out[p.pk] = "匿名"
            continue
        first = people[0]
        text = " ".join(v for v in (first.get("name"), first.get("phone")) if v)
        out[p.pk] = text + (f" 等{len(people)}人" if len(people) > 1 else "")
    return out


def batch_units() -> list[tuple[str, str]]:
    """Units a batch may assign to (active, not village committees); each petition's accused-unit rule is its service's."""
    from xinfang.org.models import Unit

    return list(Unit.objects.filter(active=True).exclude(kind="village_committee").order_by("code").values_list("code", "name")[:500])
