from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.6667 → "66.67%"; None → "—"."""
    if value is None or value == "":
        return "—"
    text = f"{float(value) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


@register.filter
def delta(value, other) -> str:
    """Percentage-point change from `other` to `value` ("+3.2个百分点")."""
    if value is None or other is None:
        return "—"
    d = (float(value) - float(other)) * 100
    return f"{'+' if d >= 0 else ''}{d:.1f}个百分点"


@register.filter
def minus(a, b):
    return (a or 0) - (b or 0)
