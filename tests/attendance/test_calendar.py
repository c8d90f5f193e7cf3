"""The attendance calendar across real dates: weekly periods, holidays (Brazil + Santa Catarina), optional
holidays switched one by one, and IPM's closed days and special hours."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attendance.models import OptionalHoliday, SpecialDay
from tickets import services
from tickets.models import AttendancePeriod, Status
from tickets.selectors import attendance_is_open, attendance_next_start

SP = ZoneInfo("America/Sao_Paulo")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SP)


@pytest.fixture
def weekdays_8_to_18(db):
    for weekday in range(5):
        AttendancePeriod.objects.create(weekday=weekday, starts_at=time(8), ends_at=time(18))


def switch(name: str, closed: bool) -> None:
    OptionalHoliday.objects.update_or_create(name=name, defaults={"closed": closed})


def test_the_migration_lists_the_optional_holidays_all_switched_off(db):
    names = set(OptionalHoliday.objects.values_list("name", flat=True))
    assert {"Carnaval", "Quarta-feira de Cinzas", "Corpus Christi", "Véspera de Natal"} <= names
    assert not OptionalHoliday.objects.filter(closed=True).exists()


def test_an_ordinary_weekday_follows_the_weekly_periods(weekdays_8_to_18):
    assert attendance_is_open(at=at(2026, 3, 10, 10))  # a Tuesday
    assert not attendance_is_open(at=at(2026, 3, 10, 18, 30))
    assert attendance_next_start(at=at(2026, 3, 10, 18, 30)) == at(2026, 3, 11, 8)


def test_carnival_is_open_until_ipm_switches_it_off(weekdays_8_to_18):
    carnival_monday = at(2026, 2, 16, 10)
    assert attendance_is_open(at=carnival_monday)
    switch("Carnaval", True)
    assert not attendance_is_open(at=carnival_monday)
    assert not attendance_is_open(at=at(2026, 2, 17, 10))
    # Friday evening before Carnival: the next opening is Ash Wednesday (still a working day here).
    assert attendance_next_start(at=at(2026, 2, 13, 19)) == at(2026, 2, 18, 8)


def test_ash_wednesday_with_special_hours_opens_in_the_afternoon(weekdays_8_to_18):
    switch("Carnaval", True)
    SpecialDay.objects.create(
        description="Quarta-feira de Cinzas",
        starts_on="2026-02-18",
        ends_on="2026-02-18",
        opens_at=time(14),
        closes_at=time(18),
    )
    assert not attendance_is_open(at=at(2026, 2, 18, 10))
    assert attendance_is_open(at=at(2026, 2, 18, 15))
    assert attendance_next_start(at=at(2026, 2, 13, 19)) == at(2026, 2, 18, 14)


def test_good_friday_is_closed_and_the_next_opening_is_monday(weekdays_8_to_18):
    assert not attendance_is_open(at=at(2026, 4, 3, 10))
    assert attendance_next_start(at=at(2026, 4, 2, 18, 30)) == at(2026, 4, 6, 8)


def test_corpus_christi_is_an_optional_holiday_switched_one_by_one(weekdays_8_to_18):
    corpus_christi = at(2026, 6, 4, 10)
    switch("Carnaval", True)  # another switch does not touch this day
    assert attendance_is_open(at=corpus_christi)
    switch("Corpus Christi", True)
    assert not attendance_is_open(at=corpus_christi)
    assert attendance_next_start(at=at(2026, 6, 3, 19)) == at(2026, 6, 5, 8)


def test_20_november_is_a_national_holiday(weekdays_8_to_18):
    assert not attendance_is_open(at=at(2026, 11, 20, 10))  # a Friday
    assert attendance_next_start(at=at(2026, 11, 19, 20)) == at(2026, 11, 23, 8)


def test_christmas_eve_half_day_and_christmas_closed(weekdays_8_to_18):
    SpecialDay.objects.create(
        description="Véspera de Natal",
        starts_on="2026-12-24",
        ends_on="2026-12-24",
        opens_at=time(8),
        closes_at=time(12),
    )
    assert attendance_is_open(at=at(2026, 12, 24, 10))
    assert not attendance_is_open(at=at(2026, 12, 24, 13))
    assert not attendance_is_open(at=at(2026, 12, 25, 10))
    assert attendance_next_start(at=at(2026, 12, 24, 13)) == at(2026, 12, 28, 8)


def test_a_friday_evening_before_a_monday_holiday_skips_the_weekend_and_the_holiday(weekdays_8_to_18):
    # 7 September 2026 (Independência) is a Monday.
    assert attendance_next_start(at=at(2026, 9, 4, 19)) == at(2026, 9, 8, 8)


def test_ipm_closed_days_close_a_whole_range(weekdays_8_to_18):
    SpecialDay.objects.create(description="Recesso de fim de ano", starts_on="2026-12-28", ends_on="2026-12-31")
    assert not attendance_is_open(at=at(2026, 12, 29, 10))
    # 1 January is a national holiday, then the weekend.
    assert attendance_next_start(at=at(2026, 12, 24, 19)) == at(2027, 1, 4, 8)


def test_a_ticket_opened_on_a_holiday_is_chat_off_line(weekdays_8_to_18, person, module):
    ticket = services.ticket_open(
        requester=person, module_id=module.pk, reason="Preciso de ajuda", now=at(2026, 12, 25, 10)
    )
    assert ticket.status == Status.OFFLINE
    assert ticket.opened_offline


def test_without_periods_attendance_is_always_open_even_on_holidays(db):
    assert attendance_is_open(at=at(2026, 12, 25, 10))
    assert attendance_next_start(at=at(2026, 12, 25, 10)) is None


def test_the_calendar_costs_the_same_queries_whatever_its_size(weekdays_8_to_18):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            attendance_is_open(at=at(2026, 12, 24, 10))
            attendance_next_start(at=at(2026, 12, 24, 19))
        return len(queries)

    small = count()
    for day in range(1, 29):
        SpecialDay.objects.create(
            description=f"Fechado {day}", starts_on=f"2027-02-{day:02d}", ends_on=f"2027-02-{day:02d}"
        )
    assert count() == small == 6
