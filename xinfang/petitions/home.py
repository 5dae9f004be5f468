"""The petition worklist panel on the home page (clerk, office, leader, unit handler)."""

from django.urls import reverse

from xinfang.petitions import selectors


def worklist_panel(user) -> list[dict]:
    counts = selectors.worklist_counts(actor=user)
    if not counts:
        return []
    base = reverse("petitions:worklist")
    return [{"title": "信访待办", "items": [(c["label"], c["count_label"], f"{base}?bucket={c['code']}") for c in counts]}]
