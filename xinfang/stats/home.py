"""The statistics panel on the home page (one aggregate query)."""

from django.utils.http import urlencode


def stats_panel(user) -> list[dict]:
    from . import selectors

    if not selectors.can_view_stats(user) or user.unit_id is None and not user.is_superuser:
        return []
    f = selectors.parse_filter(user, {})
    data = selectors.kpi_summary(actor=user, f=f)
    q = urlencode(f.params())
    k = data["kpis"]

    def pct(v):
        return "—" if v is None else f"{v * 100:.1f}%"

    return [
        {
            "title": f"统计（{f.start.year}年至今）",
            "items": [
                ("信访总量", data["counts"]["total"], f"/stats/?{q}"),
                ("当前超期件", data["counts"]["overdue"], f"/stats/?{q}"),
                ("按期办结率", pct(k["on_time_completion"]["value"]), f"/stats/?{q}"),
                ("满意率", pct(k["satisfaction_rate"]["value"]), f"/stats/?{q}"),
            ],
        }
    ]
