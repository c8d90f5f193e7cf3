"""Each staff page costs a fixed number of queries, whatever the data size (DESIGN, STYLE 17).

The counts are locked: the same with 1 ticket and 1 message as with 1,000 tickets and 500 messages.
"""

from datetime import timedelta

import pytest
from django.db.models import Max
from django.utils import timezone

from attachments.models import Attachment
from tickets.models import Message, Status, Ticket

# Every page: session, user, person with entity (once per request).
PANEL_QUERIES = 6  # + the panel list, the unread count, the contact-gate flag
MY_TICKETS_QUERIES = 6  # + contact gate, the last 20 with module and attendant, the badge count
CONVERSATION_QUERIES = 8  # + contact gate, the ticket, its messages, their attachments, the badge count

STATUSES = [Status.NAO_INICIADO, Status.EM_ATENDIMENTO, Status.CONCLUIDO, Status.AGUARDANDO_RETORNO, Status.OFFLINE]


def grow(person, ticket, attendant, *, tickets: int = 1000, messages: int = 500) -> None:
    """Bulk data: many tickets of the same person (some unread, some closed) and a long dialog with files."""
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            requester=person,
            entity=person.entity,
            module=ticket.module,
            status=STATUSES[n % len(STATUSES)],
            attendant=attendant if n % 2 else None,
            opened_at=now - timedelta(minutes=n + 1),
            last_attendant_message_id=1 if n % 3 == 0 else 0,
        )
        for n in range(tickets - 1)
    )
    created = Message.objects.bulk_create(
        Message(
            ticket=ticket,
            author_kind=Message.Author.ATTENDANT if n % 2 else Message.Author.REQUESTER,
            kind=Message.Kind.FILES if n % 50 == 0 else Message.Kind.TEXT,
            author=attendant if n % 2 else person.user,
            author_name="Ana Paula Schmitt" if n % 2 else person.name,
            body=f"Mensagem {n}",
            created_at=now,
        )
        for n in range(messages - 1)
    )
    Attachment.objects.bulk_create(
        Attachment(
            message=message,
            file=f"anexos/{message.pk}",
            original_name=f"arquivo-{message.pk}.pdf",
            content_type="application/pdf",
            size=1234,
            sha256="0" * 64,
        )
        for message in created
        if message.kind == Message.Kind.FILES
    )
    last = Message.objects.filter(ticket=ticket).aggregate(last=Max("id"))["last"]
    # Everything read, as in the small case, so both pages do the same work.
    Ticket.objects.filter(pk=ticket.pk).update(last_attendant_message_id=last, requester_read_id=last)


def assert_sizes(ticket, messages_count: int, tickets_count: int) -> None:
    assert Ticket.objects.filter(requester=ticket.requester).count() == tickets_count
    assert ticket.messages.count() == messages_count


@pytest.mark.parametrize("big", [False, True], ids=["1 ticket", "1000 tickets"])
def test_panel_costs_the_same_whatever_the_number_of_tickets(
    person_client, person, ticket, attendant, big, django_assert_num_queries
):
    if big:
        grow(person, ticket, attendant)
    assert_sizes(ticket, 500 if big else 1, 1000 if big else 1)
    with django_assert_num_queries(PANEL_QUERIES):
        response = person_client.get("/chat/painel/")
    assert response.status_code == 200
    assert response.content.decode().count('class="ticket-row') == (50 if big else 1)


@pytest.mark.parametrize("big", [False, True], ids=["1 ticket", "1000 tickets"])
def test_meus_atendimentos_costs_the_same_whatever_the_number_of_tickets(
    person_client, person, ticket, attendant, big, django_assert_num_queries
):
    if big:
        grow(person, ticket, attendant)
    with django_assert_num_queries(MY_TICKETS_QUERIES):
        response = person_client.get("/chat/")
    assert response.status_code == 200
    assert response.content.decode().count('class="ticket-row') == (20 if big else 1)


@pytest.mark.parametrize("big", [False, True], ids=["1 message", "500 messages"])
def test_conversation_costs_the_same_whatever_the_number_of_messages(
    person_client, person, ticket, attendant, big, django_assert_num_queries
):
    if big:
        grow(person, ticket, attendant)
    with django_assert_num_queries(CONVERSATION_QUERIES):
        response = person_client.get(f"/chat/atendimentos/{ticket.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<li class="msg ') == (500 if big else 1)
    assert html.count('class="download"') == (10 if big else 0)
