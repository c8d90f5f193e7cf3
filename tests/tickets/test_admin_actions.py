"""The attendants' buttons in the admin: take next, take, transfer, change status, register a phone ticket.

Every refusal shows a clear admin message and changes nothing.
"""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from routing import services as routing_services
from tests.conftest import login
from tests.factories import ModuleFactory, UserFactory
from tickets import errors, services
from tickets.admin.forms import STATUS_INVALID, STATUS_REQUIRED, TRANSFER_INVALID
from tickets.models import Channel, Message, Status, Ticket, TranscriptOutbox

QUEUE_URL = reverse("admin:tickets_ticket_changelist")
TAKE_NEXT_URL = reverse("admin:tickets_ticket_take_next")


def ticket_url(ticket: Ticket) -> str:
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


def action_url(name: str, ticket: Ticket) -> str:
    return reverse(f"admin:tickets_ticket_{name}", args=[ticket.pk])


def shown_messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]


def snapshot(ticket: Ticket) -> dict:
    """Every column of the ticket, to prove a refusal changed nothing."""
    fresh = Ticket.objects.get(pk=ticket.pk)
    return {field.attname: getattr(fresh, field.attname) for field in Ticket._meta.concrete_fields}


@pytest.fixture
def attendant2_client(attendant2):
    return login(Client(), attendant2)


# --- "Atender próximo" ------------------------------------------------------------------------


@pytest.mark.django_db
def test_take_next_takes_the_first_waiting_ticket_and_opens_it(attendant_client, attendant, person, open_ticket):
    now = timezone.now()
    newer = open_ticket(person, now=now - timedelta(minutes=1))
    older = open_ticket(person, now=now - timedelta(minutes=9))

    response = attendant_client.post(TAKE_NEXT_URL)

    assert response.status_code == 302 and response.url == ticket_url(older)
    older.refresh_from_db()
    assert older.status == Status.EM_ATENDIMENTO and older.attendant == attendant and older.taken_at
    assert Ticket.objects.get(pk=newer.pk).status == Status.NAO_INICIADO
    assert ("success", f"Você assumiu o atendimento {older.pk}.") in shown_messages(response)


@pytest.mark.django_db
def test_take_next_on_an_empty_queue_says_so_and_stays_on_the_queue(attendant_client, attendant, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant)
    before = snapshot(ticket)

    response = attendant_client.post(TAKE_NEXT_URL)

    assert response.status_code == 302 and response.url == QUEUE_URL
    assert shown_messages(response) == [("error", errors.QUEUE_EMPTY)]
    assert snapshot(ticket) == before


@pytest.mark.django_db
def test_action_urls_refuse_get_and_change_nothing(attendant_client, ticket):
    before = snapshot(ticket)
    for url in [
        TAKE_NEXT_URL,
        action_url("take", ticket),
        action_url("transfer", ticket),
        action_url("status", ticket),
    ]:
        assert attendant_client.get(url).status_code == 405
    assert snapshot(ticket) == before


@pytest.mark.django_db
def test_actions_without_the_csrf_token_are_refused(attendant, ticket):
    """Threat: a page on another site makes a logged attendant's browser take or close tickets (CSRF)."""
    client = login(Client(enforce_csrf_checks=True), attendant)
    before = snapshot(ticket)

    assert client.post(TAKE_NEXT_URL).status_code == 403
    assert client.post(action_url("status", ticket), {"status": Status.CANCELADO}).status_code == 403
    assert client.post(ticket_url(ticket), {"body": "oi"}).status_code == 403
    assert snapshot(ticket) == before
    assert ticket.messages.count() == 1


# --- take a given ticket ----------------------------------------------------------------------


@pytest.mark.django_db
def test_take_a_given_ticket_from_the_queue(attendant_client, attendant, ticket):
    response = attendant_client.post(action_url("take", ticket))

    assert response.status_code == 302 and response.url == ticket_url(ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.EM_ATENDIMENTO and ticket.attendant == attendant


@pytest.mark.django_db
def test_taking_a_ticket_of_another_attendant_is_refused(attendant_client, attendant2, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant2)
    before = snapshot(ticket)

    response = attendant_client.post(action_url("take", ticket))

    assert shown_messages(response) == [("error", errors.ALREADY_TAKEN.format(name="Bruno Kowalski"))]
    assert snapshot(ticket) == before


@pytest.mark.django_db
def test_taking_a_ticket_that_does_not_exist_is_404(attendant_client):
    assert attendant_client.post(reverse("admin:tickets_ticket_take", args=[987654])).status_code == 404


# --- transfer ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_transfer_hands_the_ticket_to_another_attendant(attendant_client, attendant, attendant2, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant)
    routing_services.attendant_availability_set(user=attendant2, available=True)

    response = attendant_client.post(action_url("transfer", ticket), {"to": attendant2.pk, "note": "Segue."})

    assert response.status_code == 302 and response.url == QUEUE_URL
    ticket.refresh_from_db()
    assert ticket.attendant == attendant2
    assert ("success", f"Atendimento {ticket.pk} transferido para Bruno Kowalski.") in shown_messages(response)


@pytest.mark.django_db
def test_transfer_to_a_non_attendant_is_refused(attendant_client, attendant, person, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant)
    staff_not_attendant = UserFactory(username="carla", first_name="Carla", is_staff=True)
    before = snapshot(ticket)

    for target in [person.user, staff_not_attendant]:
        response = attendant_client.post(action_url("transfer", ticket), {"to": target.pk, "note": "Segue."})
        assert response.status_code == 400
        (level, text), *_ = shown_messages(response)
        assert level == "error" and text.endswith("não é um atendente.")
    assert snapshot(ticket) == before


@pytest.mark.django_db
@pytest.mark.parametrize("to", ["", "abc", "999999"])
def test_transfer_to_nobody_is_refused(attendant_client, attendant, ticket, to):
    services.ticket_take(ticket=ticket, attendant=attendant)
    before = snapshot(ticket)

    response = attendant_client.post(action_url("transfer", ticket), {"to": to, "note": "Segue."})

    assert shown_messages(response) == [("error", TRANSFER_INVALID)]
    assert snapshot(ticket) == before


@pytest.mark.django_db
def test_transfer_of_a_ticket_held_by_another_attendant_is_refused(attendant_client, attendant, attendant2, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant2)
    before = snapshot(ticket)

    routing_services.attendant_availability_set(user=attendant, available=True)
    response = attendant_client.post(action_url("transfer", ticket), {"to": attendant.pk, "note": "Segue."})

    assert shown_messages(response) == [("error", errors.NOT_YOUR_TICKET.format(name="Bruno Kowalski"))]
    assert snapshot(ticket) == before


# --- status changes ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_status_change_along_the_table(attendant_client, attendant, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant)

    response = attendant_client.post(action_url("status", ticket), {"status": Status.AGUARDANDO_RETORNO})

    assert response.url == ticket_url(ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.AGUARDANDO_RETORNO
    assert (
        "success",
        f"Situação do atendimento {ticket.pk} alterada para \u201cAguardando Retorno Cliente\u201d.",
    ) in shown_messages(response)


@pytest.mark.django_db
def test_a_transition_the_table_forbids_is_refused(attendant_client, attendant, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant)
    before = snapshot(ticket)

    response = attendant_client.post(action_url("status", ticket), {"status": Status.FINALIZADO_FABRICA})

    expected = errors.TRANSITION_NOT_ALLOWED.format(current="Em Atendimento", target="Finalizado Fábrica")
    assert shown_messages(response) == [("error", expected)]
    assert snapshot(ticket) == before


@pytest.mark.django_db
def test_attendant_cannot_pick_the_requesters_own_conclusion(attendant_client, attendant, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant)
    before = snapshot(ticket)

    response = attendant_client.post(action_url("status", ticket), {"status": Status.CONCLUIDO_USUARIO})

    (level, _), *_ = shown_messages(response)
    assert level == "error"
    assert snapshot(ticket) == before
    assert not TranscriptOutbox.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["", "fechado", "<script>"])
def test_an_unknown_status_is_refused(attendant_client, attendant, ticket, status):
    services.ticket_take(ticket=ticket, attendant=attendant)
    before = snapshot(ticket)

    response = attendant_client.post(action_url("status", ticket), {"status": status})

    assert response.status_code == 400
    assert shown_messages(response) == [("error", STATUS_REQUIRED if status == "" else STATUS_INVALID)]
    assert snapshot(ticket) == before


@pytest.mark.django_db
def test_status_change_on_a_ticket_of_another_attendant_is_refused(attendant_client, attendant2, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant2)
    before = snapshot(ticket)

    response = attendant_client.post(action_url("status", ticket), {"status": Status.AGUARDANDO_RETORNO})

    assert shown_messages(response) == [("error", errors.NOT_YOUR_TICKET.format(name="Bruno Kowalski"))]
    assert snapshot(ticket) == before


@pytest.mark.django_db
def test_scheduling_stores_the_date_and_time_given(attendant_client, attendant, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant)
    when = timezone.localtime() + timedelta(days=2)

    attendant_client.post(
        action_url("status", ticket),
        {"status": Status.AGENDADO, "scheduled_date": when.strftime("%Y-%m-%d"), "scheduled_time": "14:30"},
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.AGENDADO
    scheduled = timezone.localtime(ticket.scheduled_for)
    assert (scheduled.date(), scheduled.hour, scheduled.minute) == (when.date(), 14, 30)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("date", "time", "message"),
    [
        ("", "", errors.SCHEDULE_REQUIRED),
        ("2030-01-10", "", errors.SCHEDULE_REQUIRED),
        ("31/02/2030", "10:00", errors.SCHEDULE_REQUIRED),
        ("2020-01-10", "10:00", errors.SCHEDULE_IN_PAST),
    ],
)
def test_scheduling_without_a_valid_future_date_and_time_is_refused(
    attendant_client, attendant, ticket, date, time, message
):
    services.ticket_take(ticket=ticket, attendant=attendant)
    before = snapshot(ticket)

    response = attendant_client.post(
        action_url("status", ticket), {"status": Status.AGENDADO, "scheduled_date": date, "scheduled_time": time}
    )

    assert shown_messages(response) == [("error", message)]
    assert snapshot(ticket) == before


@pytest.mark.django_db
def test_concluding_by_the_attendant_writes_the_transcript_outbox(
    attendant_client, attendant, ticket, django_capture_on_commit_callbacks
):
    services.ticket_take(ticket=ticket, attendant=attendant)

    with django_capture_on_commit_callbacks() as callbacks:
        response = attendant_client.post(action_url("status", ticket), {"status": Status.CONCLUIDO, "confirmed": "on"})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CONCLUIDO and ticket.closed_at
    assert TranscriptOutbox.objects.filter(ticket=ticket, sent_at__isnull=True).count() == 1
    assert callbacks  # the e-mail task and the broadcasts leave only after commit
    # Closed: no more replies from the admin either.
    reply = attendant_client.post(ticket_url(ticket), {"body": "mais uma coisa"})
    assert reply.status_code == 400
    assert ticket.messages.filter(author_kind=Message.Author.ATTENDANT).count() == 0


# --- S22: a ticket that came by phone -----------------------------------------------------------


@pytest.mark.django_db
def test_phone_registration_form_shows_for_attendants(attendant_client):
    response = attendant_client.get(reverse("admin:tickets_ticket_add"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Registrar atendimento por telefone" in html
    assert "47 3531-1500" in html
    assert 'name="requester"' in html and 'name="module"' in html and 'name="reason"' in html


@pytest.mark.django_db
def test_phone_ticket_is_registered_and_queues_after_online_ones(
    attendant_client, attendant, person, other_person, module, open_ticket
):
    response = attendant_client.post(
        reverse("admin:tickets_ticket_add"),
        {"requester": person.pk, "module": module.pk, "reason": "Ligou pedindo ajuda com a NFS-e."},
    )
    online_opened_later = open_ticket(other_person)

    phone = Ticket.objects.get(channel=Channel.PHONE)
    assert response.status_code == 302 and response.url == ticket_url(phone)
    assert phone.requester == person and phone.status == Status.NAO_INICIADO and phone.attendant is None
    assert phone.messages.get().body == "Ligou pedindo ajuda com a NFS-e."
    queue = attendant_client.get(QUEUE_URL).context["cl"].result_list
    assert [ticket.pk for ticket in queue] == [online_opened_later.pk, phone.pk]
    assert attendant_client.post(TAKE_NEXT_URL).url == ticket_url(online_opened_later)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"reason": "   "}, errors.REASON_EMPTY),
        ({"requester": ""}, "Selecione a pessoa que ligou."),
        ({"requester": "999999"}, "Selecione uma pessoa válida."),
        ({"module": "inactive"}, errors.MODULE_INVALID),
    ],
)
def test_phone_registration_with_bad_input_saves_nothing(attendant_client, person, module, data, text):
    inactive = ModuleFactory(name="Módulo Desativado", active=False)
    form = {"requester": person.pk, "module": module.pk, "reason": "Ligou."}
    form.update(data)
    if form["module"] == "inactive":
        form["module"] = inactive.pk

    response = attendant_client.post(reverse("admin:tickets_ticket_add"), form)

    assert response.status_code == 400
    assert text in response.content.decode()
    assert Ticket.objects.count() == 0
