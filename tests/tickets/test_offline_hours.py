"""Off-line made clear (issue 13, point 6): outside the hours the panel, "Novo Atendimento" and the
toolbar's icon say so, with the hours and the next opening; an off-line ticket never says "Aguarde!"."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from tickets.models import AttendancePeriod, Status, Ticket

from .test_views import S9_WAIT, text_of


@pytest.fixture
def closed_now():
    """Attendance in two periods on a weekday that is not today: now is outside every period."""
    other_day = (timezone.localtime().weekday() + 3) % 7
    AttendancePeriod.objects.create(weekday=other_day, starts_at=time(8), ends_at=time(12))
    AttendancePeriod.objects.create(weekday=other_day, starts_at=time(13, 30), ends_at=time(18))
    return other_day


def next_opening(weekday: int) -> str:
    day = timezone.localdate() + timedelta(days=(weekday - timezone.localdate().weekday()) % 7)
    return f"Próximo atendimento: {day:%d/%m/%Y} às 08:00."


DAYS = ["Segunda-feira", "Terça-feira", "Quarta-feira", "Quinta-feira", "Sexta-feira", "Sábado", "Domingo"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/chat/painel/", "/chat/atendimento-on-line/", "/chat/novo/"])
def test_outside_the_hours_the_panel_and_the_new_ticket_say_the_hours_and_the_next_opening(
    person_client, closed_now, url
):
    text = text_of(person_client.get(url))
    assert "Horário de atendimento:" in text
    assert f"{DAYS[closed_now]}: 08:00–12:00, 13:30–18:00" in text
    assert next_opening(closed_now) in text


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/chat/painel/", "/chat/novo/", "/"])
def test_inside_the_hours_nothing_is_said(person_client, url):
    text = text_of(person_client.get(url))
    assert "Horário de atendimento:" not in text and "Próximo atendimento" not in text
    assert "fora do horário de atendimento" not in text


@pytest.mark.django_db
def test_the_toolbar_icon_has_an_off_line_state_with_a_text_alternative(person_client, closed_now):
    html = person_client.get("/").content.decode()
    assert 'class="tool chat-icon is-offline"' in html
    assert 'title="Atendimento On-line (fora do horário de atendimento)"' in html
    assert '<span class="visually-hidden"> (fora do horário de atendimento)</span>' in html


@pytest.mark.django_db
def test_an_off_line_ticket_never_says_wait_a_moment(person_client, module, closed_now):
    response = person_client.post("/chat/novo/", {"module": module.pk, "reason": "Fora do horário"}, follow=True)
    assert Ticket.objects.get().status == Status.OFFLINE
    text = text_of(response)
    assert "será respondido no próximo período de atendimento" in text
    assert S9_WAIT not in text
