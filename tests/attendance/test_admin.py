"""Bad input in the calendar's admin: a clear message, nothing saved."""

from datetime import time

import pytest

from attendance.models import OptionalHoliday, SpecialDay

ADD = "/admin/attendance/specialday/add/"


def post(client, **data):
    form = {"description": "Recesso", "starts_on": "", "ends_on": "", "opens_at": "", "closes_at": ""}
    form.update(data)
    return client.post(ADD, form)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"starts_on": "2026-12-31", "ends_on": "2026-12-28"},
            "A data final deve ser igual ou posterior à data inicial.",
        ),
        (
            {"starts_on": "2026-12-24", "ends_on": "2026-12-24", "opens_at": "08:00"},
            "Informe o horário de abertura e o de fechamento, ou deixe os dois em branco.",
        ),
        (
            {"starts_on": "2026-12-24", "ends_on": "2026-12-24", "opens_at": "12:00", "closes_at": "08:00"},
            "O horário de fechamento deve ser posterior ao de abertura.",
        ),
    ],
)
def test_a_reversed_or_half_given_period_is_refused_and_nothing_saved(admin_client, data, message):
    response = post(admin_client, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SpecialDay.objects.exists()


def test_an_overlapping_period_is_refused_naming_the_other(admin_client):
    SpecialDay.objects.create(description="Recesso de fim de ano", starts_on="2026-12-28", ends_on="2026-12-31")
    response = post(admin_client, description="Outro", starts_on="2026-12-30", ends_on="2027-01-02")
    assert response.status_code == 200
    assert "Este período se sobrepõe a “Recesso de fim de ano” (28/12/2026 a 31/12/2026)." in response.content.decode()
    assert SpecialDay.objects.count() == 1


def test_a_good_special_day_is_saved_and_editing_it_does_not_overlap_itself(admin_client):
    response = post(
        admin_client,
        description="Véspera de Natal",
        starts_on="2026-12-24",
        ends_on="2026-12-24",
        opens_at="08:00",
        closes_at="12:00",
    )
    assert response.status_code == 302
    day = SpecialDay.objects.get()
    assert (day.opens_at, day.closes_at) == (time(8), time(12))
    response = admin_client.post(
        f"/admin/attendance/specialday/{day.pk}/change/",
        {
            "description": "Véspera de Natal",
            "starts_on": "2026-12-24",
            "ends_on": "2026-12-24",
            "opens_at": "08:00",
            "closes_at": "13:00",
        },
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert day.closes_at == time(13)


def test_optional_holidays_are_switched_in_the_list_and_cannot_be_added_or_deleted(admin_client):
    carnival = OptionalHoliday.objects.get(name="Carnaval")
    assert admin_client.get("/admin/attendance/optionalholiday/add/").status_code == 403
    response = admin_client.get(f"/admin/attendance/optionalholiday/{carnival.pk}/change/")
    assert response.status_code == 200
    response = admin_client.post(f"/admin/attendance/optionalholiday/{carnival.pk}/change/", {"closed": "on"})
    assert response.status_code == 302
    carnival.refresh_from_db()
    assert carnival.closed
