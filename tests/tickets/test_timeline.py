"""The timeline tells what happened (issue 13, point 4): system lines written by the services themselves."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone, translation

from routing import services as routing_services
from tickets import errors, services
from tickets.models import Message, Status, Ticket

ZONE = ZoneInfo(settings.TIME_ZONE)


def system_lines(ticket: Ticket) -> list[str]:
    return list(ticket.messages.filter(author_kind=Message.Author.SYSTEM).order_by("id").values_list("body", flat=True))


@pytest.mark.django_db
def test_taking_writes_who_took_it_and_does_not_count_as_a_reply(ticket, attendant):
    services.ticket_take(ticket=ticket, attendant=attendant)
    ticket.refresh_from_db()
    assert system_lines(ticket) == ["Atendimento assumido por Ana Paula Schmitt"]
    line = ticket.messages.get(author_kind=Message.Author.SYSTEM)
    assert line.kind == Message.Kind.EVENT and line.author == attendant
    # Not a reply: nothing unread for the requester, the ticket still waits for its first answer.
    assert not ticket.unread_for_requester and ticket.last_attendant_message_id == 0
    assert ticket.first_response_at is None


@pytest.mark.django_db
def test_a_reply_that_takes_the_ticket_needs_no_line_of_its_own(ticket, attendant):
    """The reply itself says who answered ("Ana Paula Schmitt diz"); the status shows "Em Atendimento"."""
    services.ticket_message_create(ticket=ticket, user=attendant, body="Bom dia!")
    ticket.refresh_from_db()
    assert ticket.status == Status.EM_ATENDIMENTO and ticket.attendant == attendant
    assert system_lines(ticket) == []


@pytest.mark.django_db
def test_transfer_names_both_attendants(ticket, attendant, attendant2):
    services.ticket_take(ticket=ticket, attendant=attendant)
    routing_services.attendant_availability_set(user=attendant2, available=True)
    services.ticket_transfer(ticket=ticket, attendant=attendant, to=attendant2, note="Segue com você.")
    assert system_lines(ticket)[-1] == "Atendimento transferido de Ana Paula Schmitt para Bruno Kowalski"
    ticket.refresh_from_db()
    assert not ticket.unread_for_requester


@pytest.mark.django_db
def test_transfer_to_the_same_attendant_is_refused_and_writes_nothing(ticket, attendant):
    services.ticket_take(ticket=ticket, attendant=attendant)
    routing_services.attendant_availability_set(user=attendant, available=True)
    with pytest.raises(errors.InvalidInput) as refused:
        services.ticket_transfer(ticket=ticket, attendant=attendant, to=attendant, note="Segue.")
    assert refused.value.message == "Este atendimento já está com Ana Paula Schmitt."
    assert system_lines(ticket) == ["Atendimento assumido por Ana Paula Schmitt"]


@pytest.mark.django_db
def test_status_change_and_schedule_lines(ticket, attendant):
    services.ticket_take(ticket=ticket, attendant=attendant)
    services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.EM_DESENVOLVIMENTO)
    when = (timezone.localtime(timezone.now(), ZONE) + timedelta(days=1)).replace(hour=9, minute=30)
    services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.FINALIZADO_FABRICA)
    services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.EM_ATENDIMENTO)
    services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.AGENDADO, scheduled_for=when)
    assert system_lines(ticket)[1:] == [
        "Situação alterada para Em desenvolvimento – Fábrica",
        "Situação alterada para Finalizado Fábrica",
        "Situação alterada para Em Atendimento",
        f"Agendado para {when:%d/%m/%Y} às 09:30",
    ]


@pytest.mark.django_db
def test_system_lines_are_shown_in_the_readers_language(ticket, attendant):
    services.ticket_take(ticket=ticket, attendant=attendant)
    when = datetime(2026, 12, 3, 9, 30, tzinfo=ZONE)
    line = Message(
        ticket=ticket,
        author_kind=Message.Author.SYSTEM,
        kind=Message.Kind.EVENT,
        params={"text": services.SCHEDULED, "args": {"at": when.isoformat()}},
    )
    assert line.system_text == "Agendado para 03/12/2026 às 09:30"
    with translation.override("en"):
        assert line.system_text == "Scheduled for 12/03/2026 at 9:30 AM"
        status = Message(params={"text": services.STATUS_CHANGED, "args": {"status": Status.AGUARDANDO_RETORNO}})
        assert status.system_text == "Status changed to Awaiting Customer Reply"


@pytest.mark.django_db
def test_waiting_for_the_customer_sets_the_requesters_badge(ticket, attendant, person):
    from tickets.selectors import ticket_unread_count

    services.ticket_take(ticket=ticket, attendant=attendant)
    assert ticket_unread_count(person_id=person.pk) == 0
    services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.AGUARDANDO_RETORNO)
    ticket.refresh_from_db()
    assert ticket.unread_for_requester
    assert ticket_unread_count(person_id=person.pk) == 1
    # Reading the conversation clears it, as for a reply.
    services.ticket_mark_read(ticket=ticket, user=person.user)
    assert ticket_unread_count(person_id=person.pk) == 0


@pytest.mark.django_db
def test_other_status_changes_leave_the_badge_alone(ticket, attendant, person):
    from tickets.selectors import ticket_unread_count

    services.ticket_take(ticket=ticket, attendant=attendant)
    services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.EM_DESENVOLVIMENTO)
    assert ticket_unread_count(person_id=person.pk) == 0


@pytest.mark.django_db
def test_a_refused_change_writes_no_line(ticket, attendant):
    from tickets import errors

    with pytest.raises(errors.InvalidInput):
        services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.AGENDADO)
    with pytest.raises(errors.TransitionNotAllowed):
        services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.FINALIZADO_FABRICA)
    assert system_lines(ticket) == []


@pytest.mark.django_db
def test_a_phone_ticket_reads_as_registered_by_the_attendant(person, attendant, module, client):
    from tests.conftest import login

    ticket = services.ticket_register_phone(
        attendant=attendant, requester=person, module_id=module.pk, reason="Ligou pedindo ajuda com a nota."
    )
    opening = ticket.messages.get(kind=Message.Kind.OPENING)
    assert opening.author == attendant and opening.author_name == "Ana Paula Schmitt"
    assert opening.params == {"phone": True}
    html = login(client, person.user).get(f"/chat/atendimentos/{ticket.number}/").content.decode()
    assert "Registrado por telefone por Ana Paula Schmitt (" in html
    assert f"{person.name}</strong> diz" not in html
