"""When IPM attends: the weekly periods, Brazil's and Santa Catarina's holidays, the optional holidays IPM
closes on, and IPM's own closed days and special hours.

`calendar_load` reads everything a decision needs in three queries; the rest is arithmetic on dates.
Precedence for a day: an IPM special day (closed or special hours) > a holiday > the weekly periods.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from tickets.models import AttendancePeriod

from .models import OptionalHoliday, SpecialDay

#: IPM's office is in Santa Catarina: national holidays plus the state's.
SUBDIVISION = "SC"
#: How far ahead the next opening is looked for (a year covers any run of holidays and closed days).
SEARCH_DAYS = 370


#: The years whose optional holidays the admin lists (the migration writes one switch per name).
OPTIONAL_YEARS = range(2024, 2041)


@lru_cache(maxsize=64)
def _holidays(year: int, category: str, language: str = "pt_BR") -> dict[date, str]:
    calendar = holidays.Brazil(subdiv=SUBDIVISION, years=year, categories=(category,), language=language)
    return dict(calendar.items())


@lru_cache(maxsize=4)
def _optional_names_in(language: str) -> dict[str, str]:
    """Portuguese name -> the library's name in `language`, matched by date."""
    names = {}
    for year in OPTIONAL_YEARS:
        other = _holidays(year, holidays.OPTIONAL, language)
        for day, name in _holidays(year, holidays.OPTIONAL).items():
            names.setdefault(name, other.get(day, name))
    return names


def holiday_label(name: str) -> str:
    """An optional holiday's name (stored in Portuguese) in the active language, as the library spells it."""
    if (get_language() or "").startswith("en"):
        return _optional_names_in("en_US").get(name, name)
    return name


def public_holiday(day: date) -> str | None:
    """The name of the national or Santa Catarina holiday on `day`, if any."""
    return _holidays(day.year, holidays.PUBLIC).get(day)


def optional_holiday(day: date) -> str | None:
    """The name of the "ponto facultativo" on `day`, if any (Carnaval, Corpus Christi, ...)."""
    return _holidays(day.year, holidays.OPTIONAL).get(day)


def optional_holiday_names(years: range) -> list[str]:
    """Every optional holiday name the library knows in these years, for the admin's switches."""
    return sorted({name for year in years for name in _holidays(year, holidays.OPTIONAL).values()})


@dataclass(frozen=True)
class Special:
    starts_on: date
    ends_on: date
    opens_at: time | None
    closes_at: time | None


@dataclass(frozen=True)
class Calendar:
    periods: tuple[tuple[int, time, time], ...]
    specials: tuple[Special, ...]
    optional_closed: frozenset[str]

    def hours_on(self, day: date) -> list[tuple[time, time]]:
        """The opening hours of a day, in order; empty when closed."""
        for special in self.specials:
            if special.starts_on <= day <= special.ends_on:
                return [] if special.opens_at is None else [(special.opens_at, special.closes_at)]
        if public_holiday(day):
            return []
        optional = optional_holiday(day)
        if optional and optional in self.optional_closed:
            return []
        return sorted((start, end) for weekday, start, end in self.periods if weekday == day.weekday())

    def is_open(self, at: datetime) -> bool:
        # No periods at all: attendance has not been configured, so it is always open (as before the calendar).
        if not self.periods:
            return True
        local = timezone.localtime(at, ZoneInfo(settings.TIME_ZONE))
        moment = local.time()
        return any(start <= moment < end for start, end in self.hours_on(local.date()))

    def next_start(self, at: datetime) -> datetime | None:
        """The first opening after `at`, skipping weekends, holidays and closed days; None without periods."""
        if not self.periods:
            return None
        zone = ZoneInfo(settings.TIME_ZONE)
        local = timezone.localtime(at, zone)
        for offset in range(SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            for start, _end in self.hours_on(day):
                moment = datetime.combine(day, start, tzinfo=zone)
                if moment > local:
                    return moment
        return None


def calendar_load(*, at: datetime | None = None) -> Calendar:
    """The calendar from `at`'s day on: three queries, whatever the number of rows."""
    local = timezone.localtime(at or timezone.now(), ZoneInfo(settings.TIME_ZONE))
    periods = tuple(AttendancePeriod.objects.values_list("weekday", "starts_at", "ends_at"))
    specials = tuple(
        Special(*row)
        for row in SpecialDay.objects.filter(ends_on__gte=local.date()).values_list(
            "starts_on", "ends_on", "opens_at", "closes_at"
        )
    )
    closed = frozenset(OptionalHoliday.objects.filter(closed=True).values_list("name", flat=True))
    return Calendar(periods=periods, specials=specials, optional_closed=closed)
