"""Each staff page costs a fixed number of queries, whatever the data size (DESIGN, STYLE 17).

The counts are locked: the same with 1 ticket and 1 message as with 1,000 tickets and 500 messages.
"""

from datetime import timedelta

import pytest
from django.db.models import Max
from django.utils import timezone

from attachments.models import Attachment
from routing import services as routing_services
from tickets import services
from tickets.models import AttendancePeriod, Message, Status, Ticket

# Every page: session, user, person with entity (once per request).
# The panel and the toolbar's icon also ask whether attendance is open: the calendar's three queries (weekly
# periods, IPM's special days, the optional holidays switched on; attendance/calendar.py). Outside the hours,
# four more say when it opens again (the hours, and the calendar again for the next opening) (issues 13, 17).
ATTENDANCE_OPEN = 3
PANEL_QUERIES = 6 + ATTENDANCE_OPEN  # + the panel list, the unread count, the contact-gate flag
MY_TICKETS_QUERIES = 6 + ATTENDANCE_OPEN  # + contact gate, the last 20 with module and attendant, the badge count
CONVERSATION_QUERIES = 8 + ATTENDANCE_OPEN  # + contact gate, the ticket, its messages, their attachments, the badge
CLOSED_EXTRA = 4  # the hours, and the calendar for the next opening

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


def close_attendance_now() -> None:
    """Attendance on a weekday that is not today, in several periods: now is outside every one."""
    other_day = (timezone.localtime().weekday() + 3) % 7
    for start, end in ((8, 12), (13, 18)):
        AttendancePeriod.objects.create(weekday=other_day, starts_at=f"{start}:00", ends_at=f"{end}:00")


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
@pytest.mark.parametrize("big", [False, True], ids=["1 ticket", "1000 tickets"])
def test_panel_costs_the_same_whatever_the_number_of_tickets(
    person_client, person, ticket, attendant, big, closed, django_assert_num_queries
):
    if big:
        grow(person, ticket, attendant)
    if closed:
        close_attendance_now()
    assert_sizes(ticket, 500 if big else 1, 1000 if big else 1)
    with django_assert_num_queries(PANEL_QUERIES + (CLOSED_EXTRA if closed else 0)):
        response = person_client.get("/chat/painel/")
    assert response.status_code == 200
    assert response.content.decode().count('class="ticket-row') == (50 if big else 1)


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
@pytest.mark.parametrize("big", [False, True], ids=["1 ticket", "1000 tickets"])
def test_meus_atendimentos_costs_the_same_whatever_the_number_of_tickets(
    person_client, person, ticket, attendant, big, closed, django_assert_num_queries
):
    if big:
        grow(person, ticket, attendant)
    if closed:
        close_attendance_now()
    with django_assert_num_queries(MY_TICKETS_QUERIES + (CLOSED_EXTRA if closed else 0)):
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


@pytest.mark.parametrize("big", [False, True], ids=["1 message", "500 messages"])
def test_conversation_with_system_lines_costs_the_same(
    person_client, person, ticket, attendant, attendant2, big, django_assert_num_queries
):
    """The timeline's lines (taken, transferred, status) are rows like the others: no query per line."""
    if big:
        grow(person, ticket, attendant)
    services.ticket_take(ticket=ticket, attendant=attendant)
    routing_services.attendant_availability_set(user=attendant2, available=True)
    services.ticket_transfer(ticket=ticket, attendant=attendant, to=attendant2, note="Segue com você.")
    services.ticket_status_change(ticket=ticket, attendant=attendant2, status=Status.AGUARDANDO_RETORNO)
    with django_assert_num_queries(CONVERSATION_QUERIES + 1):  # + marking the waiting line read
        response = person_client.get(f"/chat/atendimentos/{ticket.number}/")
    html = response.content.decode()
    assert html.count('<p class="msg-system">') == 3
    assert "Atendimento transferido de Ana Paula Schmitt para Bruno Kowalski" in html


@pytest.mark.parametrize("files", [1, 10], ids=["1 file", "10 files"])
def test_mais_informacoes_lists_the_opening_files_at_a_fixed_cost(
    person_client, person, open_ticket, files, django_assert_num_queries
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploads = [SimpleUploadedFile(f"f{n}.txt", b"conteudo", content_type="text/plain") for n in range(files)]
    ticket = open_ticket(person, files=uploads)
    # + contact gate, the ticket, the opening messages, their files, the badge count, attendance
    with django_assert_num_queries(8 + ATTENDANCE_OPEN):
        response = person_client.get(f"/chat/atendimentos/{ticket.number}/informacoes/")
    html = response.content.decode()
    assert html.count('class="download"') == files
    assert html.count('<span class="arrow" aria-hidden="true">') == files
    assert '<span class="file-name">f0.txt</span>' in html
