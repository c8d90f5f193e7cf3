"""Issue 14: the conversation pages cost a fixed number of queries whatever the notes and canned replies."""

import pytest
from django.urls import reverse

from tickets import services
from tickets.models import CannedReply, Ticket

from ..tickets.test_admin_conversation import CONVERSATION_QUERIES as ADMIN_CONVERSATION_QUERIES
from ..tickets.test_queries import CONVERSATION_QUERIES as REQUESTER_CONVERSATION_QUERIES


def grow(ticket, attendant, person, count: int) -> None:
    for index in range(count):
        fresh = Ticket.objects.get(pk=ticket.pk)
        services.ticket_message_create(ticket=fresh, user=attendant, body=f"Resposta {index}")
        services.ticket_note_create(ticket=Ticket.objects.get(pk=ticket.pk), user=attendant, body=f"Nota {index}")
        services.ticket_message_create(ticket=Ticket.objects.get(pk=ticket.pk), user=person.user, body=f"Ok {index}")
        CannedReply.objects.create(title=f"Resposta pronta {index}", body="Olá, {primeiro_nome}! Sou {atendente}.")
        CannedReply.objects.create(title=f"Minha {index}", body="Atendimento {numero}.", owner=attendant)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 25])
def test_the_attendants_conversation_costs_the_same_with_notes_and_canned_replies(
    attendant_client, attendant, person, ticket, count, settings, django_assert_num_queries
):
    settings.MESSAGE_RATE_LIMIT = 0
    grow(ticket, attendant, person, count)

    with django_assert_num_queries(ADMIN_CONVERSATION_QUERIES):
        response = attendant_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))

    assert response.status_code == 200
    assert len(response.context["canned_replies"]) == 2 * count
    assert sum(1 for message in response.context["dialog"] if message.is_note) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 25])
def test_the_requesters_conversation_costs_the_same_with_notes(
    person_client, attendant, person, ticket, count, settings, django_assert_num_queries
):
    settings.MESSAGE_RATE_LIMIT = 0
    grow(ticket, attendant, person, count)

    with django_assert_num_queries(REQUESTER_CONVERSATION_QUERIES):
        response = person_client.get(reverse("chat-ticket", args=[ticket.pk]))

    assert response.status_code == 200
    assert not any(message.is_note for message in response.context["dialog"])
