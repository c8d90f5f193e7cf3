"""The date-range filter of the report pages: from the query string to a Scope, or a clear refusal."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from . import errors
from .selectors import Scope

DEFAULT_DAYS = 30
INPUT_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _parse(value: str) -> date:
    for fmt in INPUT_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 (a calendar day, no time)
        except ValueError:
            continue
    raise errors.ReportError(errors.DATE_INVALID)


def default_range(*, today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localtime(timezone.now(), ZoneInfo(settings.TIME_ZONE)).date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def scope_from_query(query, *, attendant_id: int | None) -> Scope:
    """`inicio` and `fim` (yyyy-mm-dd from the date inputs, or dd/mm/aaaa); the last 30 days when absent."""
    start, end = default_range()
    if query.get("inicio"):
        start = _parse(query["inicio"])
    if query.get("fim"):
        end = _parse(query["fim"])
    if end < start:
        raise errors.ReportError(errors.RANGE_REVERSED)
    if (end - start).days + 1 > settings.REPORT_MAX_DAYS:
        raise errors.ReportError(gettext(errors.RANGE_TOO_LONG).format(days=settings.REPORT_MAX_DAYS))
    return Scope(start=start, end=end, attendant_id=attendant_id)
