"""The queue an attendant reads all day (issue 14): the last message, whose turn, the channel, the wait levels,
and the console's sound preference."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from routing.selectors import overdue_cutoff
from tests.conftest import login
from tests.factories import UserFactory
from tickets import services
from tickets.models import AttendantPreference, Channel, QueueSettings, Status
from tickets.selectors import queue_wait_levels

QUEUE_URL = reverse("admin:tickets_ticket_changelist")
SOUND_URL = reverse("admin:tickets_ticket_console_sound")

pytestmark = pytest.mark.django_db


def row_of(html: str, number: int) -> str:
    return html[html.index(f'href="/admin/tickets/ticket/{number}/change/') :].split("</tr>")[0]


def test_a_row_shows_the_start_of_the_last_message_escaped_and_whose_turn_it_is(
    attendant_client, attendant, person, open_ticket
):
    """Threat: a requester writes markup that would run in every attendant's queue. The preview is text."""
    reason = "<b>Nota</b> rejeitada: " + "palavra " * 30
    ticket = open_ticket(person, reason=reason)

    row = row_of(attendant_client.get(QUEUE_URL).content.decode(), ticket.pk)

    assert "&lt;b&gt;Nota&lt;/b&gt; rejeitada: palavra" in row
    assert "<b>Nota</b>" not in row
    preview = row.split('class="queue-preview">')[1].split("</span>")[0]
    assert preview.endswith("…") and len(preview.replace("&lt;", "<").replace("&gt;", ">")) <= 80
    assert "Aguardando atendente" in row and "Aguardando cliente" not in row

    services.ticket_message_create(ticket=ticket, user=attendant, body="Bom dia! Vou verificar a nota.")
    row = row_of(attendant_client.get(QUEUE_URL).content.decode(), ticket.pk)
    assert "Bom dia! Vou verificar a nota." in row
    assert "Aguardando cliente" in row

    services.ticket_message_create(ticket=ticket, user=person.user, body="Obrigada, aguardo.")
    row = row_of(attendant_client.get(QUEUE_URL).content.decode(), ticket.pk)
    assert "Obrigada, aguardo." in row and "Aguardando atendente" in row


def test_a_system_line_is_never_the_preview_and_waiting_for_the_client_counts_as_their_turn(
    attendant_client, attendant, person, open_ticket
):
    ticket = open_ticket(person, reason="Não consigo emitir a nota.")
    services.ticket_take(ticket=ticket, attendant=attendant)
    services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.AGUARDANDO_RETORNO)

    row = row_of(attendant_client.get(QUEUE_URL).content.decode(), ticket.pk)

    assert "Não consigo emitir a nota." in row  # not "Atendimento assumido por…" nor the status line
    assert "Aguardando cliente" in row


def test_the_channel_is_written_on_every_row_and_phone_tickets_stand_out(
    attendant_client, person, other_person, open_ticket
):
    online = open_ticket(person)
    phone = open_ticket(other_person, channel=Channel.PHONE)

    html = attendant_client.get(QUEUE_URL).content.decode()

    assert 'class="queue-channel queue-channel-online">On-line<' in row_of(html, online.pk)
    assert 'class="queue-channel queue-channel-phone">Telefone<' in row_of(html, phone.pk)


def test_a_closed_ticket_has_no_turn(attendant_client, attendant, person, open_ticket):
    ticket = open_ticket(person)
    services.ticket_take(ticket=ticket, attendant=attendant)
    services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.CONCLUIDO)

    row = row_of(attendant_client.get(QUEUE_URL, {"situacao": "todos"}).content.decode(), ticket.pk)

    assert "Aguardando atendente" not in row and "Aguardando cliente" not in row


def test_the_wait_is_marked_by_the_administrators_thresholds_in_text_and_colour(
    attendant_client, person, other_person, open_ticket
):
    QueueSettings.objects.create(attention_minutes=5, overdue_minutes=10)
    now = timezone.now()
    calm = open_ticket(person, now=now - timedelta(minutes=3))
    attention = open_ticket(other_person, now=now - timedelta(minutes=7))
    overdue = open_ticket(person, now=now - timedelta(minutes=12))

    html = attendant_client.get(QUEUE_URL).content.decode()

    assert "atenção" not in row_of(html, calm.pk) and "atrasado" not in row_of(html, calm.pk)
    assert '<span class="queue-attention">7 min (atenção)</span>' in row_of(html, attention.pk)
    assert '<span class="queue-overdue">12 min (atrasado)</span>' in row_of(html, overdue.pk)
    # One threshold for the queue's mark and routing's alert.
    assert overdue_cutoff(now=now) == now - timedelta(minutes=10)


def test_without_thresholds_overdue_is_the_servers_setting(settings):
    settings.QUEUE_OVERDUE_SECONDS = 120
    now = timezone.now()

    levels = queue_wait_levels()

    assert levels.overdue == timedelta(seconds=120)
    assert levels.attention == timedelta(minutes=3)
    assert overdue_cutoff(now=now) == now - timedelta(seconds=120)


@pytest.fixture
def superuser_client(db):
    return login(Client(), UserFactory(username="ipm-admin", is_staff=True, is_superuser=True))


def test_an_administrator_sets_the_thresholds_in_the_admin(superuser_client):
    url = reverse("admin:tickets_queuesettings_add")

    response = superuser_client.post(url, {"attention_minutes": "4", "overdue_minutes": "9"})

    assert response.status_code == 302
    assert queue_wait_levels().attention == timedelta(minutes=4)
    assert queue_wait_levels().overdue == timedelta(minutes=9)
    # One row only: a second one cannot be added.
    assert superuser_client.get(url).status_code == 403


def test_an_overdue_threshold_not_above_attention_is_refused_and_nothing_is_saved(superuser_client):
    response = superuser_client.post(
        reverse("admin:tickets_queuesettings_add"), {"attention_minutes": "10", "overdue_minutes": "5"}
    )

    assert response.status_code == 200
    assert "O tempo de “atrasado” deve ser maior que o de “atenção”." in response.content.decode()
    assert not QueueSettings.objects.exists()


def test_the_sound_is_on_by_default_and_each_attendant_switches_their_own(
    attendant_client, attendant, attendant2, ticket
):
    html = attendant_client.get(QUEUE_URL).content.decode()
    assert 'id="console-sound" class="console-button" aria-pressed="true"' in html

    response = attendant_client.post(SOUND_URL, {"sound": "off"}, headers={"X-Requested-With": "XMLHttpRequest"})

    assert response.json() == {"sound": False}
    assert AttendantPreference.objects.get(user=attendant).sound is False
    assert not AttendantPreference.objects.filter(user=attendant2).exists()
    html = attendant_client.get(QUEUE_URL).content.decode()
    assert 'aria-pressed="false"' in html and 'data-sound="off"' in html

    # Without the script, the form posts and comes back to the page it was on.
    response = attendant_client.post(SOUND_URL, {"sound": "on", "next": f"{QUEUE_URL}?situacao=todos"})
    assert response.status_code == 302 and response.url == f"{QUEUE_URL}?situacao=todos"
    assert AttendantPreference.objects.get(user=attendant).sound is True


def test_the_sound_switch_refuses_other_users_a_get_and_a_foreign_next(attendant_client, person_client, attendant):
    assert person_client.post(SOUND_URL, {"sound": "off"}).status_code in (302, 403)
    assert attendant_client.get(SOUND_URL).status_code == 405
    response = attendant_client.post(SOUND_URL, {"sound": "off", "next": "https://evil.example/"})
    assert response.url == QUEUE_URL
    assert not AttendantPreference.objects.exclude(user=attendant).exists()


def test_the_summary_carries_what_the_console_needs_to_notice_news(attendant_client, attendant, person, open_ticket):
    """The newest waiting ticket, and the newest requester message written after an attendant's on the user's
    tickets: taking a ticket or answering it is no news of a message."""
    mine = open_ticket(person)
    services.ticket_take(ticket=mine, attendant=attendant)
    waiting = open_ticket(person)

    html = attendant_client.get(QUEUE_URL).content.decode()
    assert f'data-newest-waiting="{waiting.pk}" data-newest-mine="0"' in html

    services.ticket_message_create(ticket=mine, user=attendant, body="Bom dia!")
    assert 'data-newest-mine="0"' in attendant_client.get(QUEUE_URL).content.decode()

    [question] = services.ticket_message_create(ticket=mine, user=person.user, body="Alguma novidade?")
    assert f'data-newest-mine="{question.pk}"' in attendant_client.get(QUEUE_URL).content.decode()
