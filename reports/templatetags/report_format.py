from datetime import timedelta

from django import template

from tickets.admin.formatting import duration_display

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    return duration_display(value)


@register.filter
def average(value: float | None) -> str:
    return "\u2014" if value is None else f"{value:.2f}".replace(".", ",")
