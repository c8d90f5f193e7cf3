from datetime import timedelta

from django import template

from tickets.admin.formatting import duration_display

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    # A figure the database did not compute (no percentile_cont) reaches the template as "".
    return duration_display(value if isinstance(value, timedelta) else None)


@register.filter
def average(value: float | None) -> str:
    if not isinstance(value, int | float):
        return "\u2014"
    return f"{value:.2f}".replace(".", ",")
