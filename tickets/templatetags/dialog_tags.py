"""What a line of the dialog needs besides the message: the day it belongs to, as people say it."""

from datetime import datetime, timedelta

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.translation import gettext

register = template.Library()


@register.filter
def day_label(value: datetime) -> str:
    """ "Hoje", "Ontem" or the date (dd/mm/aaaa in pt-BR), in the site's time zone."""
    day = timezone.localtime(value).date()
    today = timezone.localdate()
    if day == today:
        return gettext("Hoje")
    if day == today - timedelta(days=1):
        return gettext("Ontem")
    return date_filter(value, "SHORT_DATE_FORMAT")
