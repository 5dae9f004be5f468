"""The panel the messaging app adds to the office's petition page: every message to the petitioner and where it stands."""

from django import template

register = template.Library()


@register.inclusion_tag("messaging/_office_panel.html")
def petitioner_messages_panel(petition):
    from xinfang.messaging import selectors

    rows = selectors.office_messages(petition)
    return {"rows": rows, "refused": selectors.refused(petition), "anonymous": petition.anonymous}
