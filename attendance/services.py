"""Changes to the attendance calendar: each checks everything before writing anything."""

from datetime import date, time

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext

from . import errors
from .models import SpecialDay


def special_day_check(
    *, starts_on: date, ends_on: date, opens_at: time | None, closes_at: time | None, exclude_pk: int | None = None
) -> None:
    """Refuse a period that ends before it starts, half-given or reversed hours, or an overlap with another one."""
    if ends_on < starts_on:
        raise errors.CalendarError(errors.ENDS_BEFORE_START)
    if (opens_at is None) != (closes_at is None):
        raise errors.CalendarError(errors.HOURS_INCOMPLETE)
    if opens_at is not None and closes_at <= opens_at:
        raise errors.CalendarError(errors.HOURS_REVERSED)
    other = (
        SpecialDay.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
        .exclude(pk=exclude_pk)
        .order_by("starts_on")
        .first()
    )
    if other is not None:
        raise errors.CalendarError(
            gettext(errors.OVERLAPS).format(
                other=other.description,
                starts=formats.date_format(other.starts_on, "SHORT_DATE_FORMAT"),
                ends=formats.date_format(other.ends_on, "SHORT_DATE_FORMAT"),
            )
        )


def special_day_save(*, special_day: SpecialDay) -> SpecialDay:
    """Create or change a closed day / special hours, checked in the same transaction as the write."""
    with transaction.atomic():
        special_day_check(
            starts_on=special_day.starts_on,
            ends_on=special_day.ends_on,
            opens_at=special_day.opens_at,
            closes_at=special_day.closes_at,
            exclude_pk=special_day.pk,
        )
        special_day.save()
    return special_day
