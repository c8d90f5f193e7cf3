"""The attendants' queue: the ticket list of the admin (S8, S24, B4, B7)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import EntityFactory, ModuleFactory, PersonFactory
from tickets import services
from tickets.admin.formatting import duration_display
from tickets.models import CHANNEL_PRIORITY, Channel, Message, Status, Ticket

QUEUE_URL = reverse("admin:tickets_ticket_changelist")


def queue_numbers(response) -> list[int]:
    return [ticket.pk for ticket in response.context["cl"].result_list]


@pytest.mark.django_db
def test_queue_lists_online_before_phone_then_oldest_first(attendant_client, person, other_person, open_ticket):
    now = timezone.now()
    phone_oldest = open_ticket(other_person, channel=Channel.PHONE, now=now - timedelta(hours=3))
    online_new = open_ticket(person, now=now - timedelta(minutes=5))
    online_old = open_ticket(other_person, now=now - timedelta(minutes=30))

    response = attendant_client.get(QUEUE_URL)

    assert response.status_code == 200
    assert queue_numbers(response) == [online_old.pk, online_new.pk, phone_oldest.pk]


@pytest.mark.django_db
def test_queue_ignores_a_request_to_sort_by_another_column(attendant_client, person, open_ticket):
    """The order is the fair queue order (B4); a column click cannot reorder it."""
    now = timezone.now()
    old = open_ticket(person, now=now - timedelta(minutes=30))
    new = open_ticket(person, now=now - timedelta(minutes=1))

    response = attendant_client.get(QUEUE_URL, {"o": "-1"})

    assert queue_numbers(response) == [old.pk, new.pk]


@pytest.mark.django_db
def test_queue_row_shows_number_status_module_entity_requester_wait_attendant_and_unread(
    attendant_client, attendant, person, open_ticket
):
    waiting = open_ticket(person, now=timezone.now() - timedelta(minutes=12))
    taken = open_ticket(person, now=timezone.now() - timedelta(minutes=40))
    services.ticket_take(ticket=taken, attendant=attendant)

    html = attendant_client.get(QUEUE_URL).content.decode()

    row = html[html.index(f'href="/admin/tickets/ticket/{waiting.pk}/change/"') :].split("</tr>")[0]
    assert "Atendimento Não Iniciado" in row
    assert "Nota Fiscal Eletrônica Web" in row
    assert person.entity.name in row
    assert person.name in row
    assert "12 min" in row
    assert 'class="unread-marker"' in row  # the opening message is unread for attendants
    assert "Assumir" in row
    taken_row = html[html.index(f'href="/admin/tickets/ticket/{taken.pk}/change/"') :].split("</tr>")[0]
    assert "Em Atendimento" in taken_row and "Ana Paula Schmitt" in taken_row
    assert "Assumir" not in taken_row


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(seconds=20), "menos de 1 min"),
        (timedelta(minutes=12, seconds=59), "12 min"),
        (timedelta(hours=2, minutes=5), "2 h 05 min"),
        (timedelta(days=3, hours=4, minutes=1), "3 d 4 h"),
        (None, "\u2014"),
    ],
)
def test_durations_read_as_short_portuguese(duration, text):
    assert duration_display(duration) == text


@pytest.mark.django_db
def test_closed_tickets_leave_the_default_view_but_stay_under_todos(attendant_client, person, open_ticket):
    closed = open_ticket(person)
    services.ticket_conclude_by_requester(ticket=closed, user=person.user)
    open_one = open_ticket(person)

    assert queue_numbers(attendant_client.get(QUEUE_URL)) == [open_one.pk]
    assert set(queue_numbers(attendant_client.get(QUEUE_URL, {"situacao": "todos"}))) == {closed.pk, open_one.pk}
    assert queue_numbers(attendant_client.get(QUEUE_URL, {"situacao": Status.CONCLUIDO_USUARIO})) == [closed.pk]


@pytest.mark.django_db
def test_meus_atendimentos_shows_only_the_logged_attendants_tickets(
    attendant_client, attendant, attendant2, person, open_ticket
):
    mine = open_ticket(person)
    theirs = open_ticket(person)
    free = open_ticket(person)
    services.ticket_take(ticket=mine, attendant=attendant)
    services.ticket_take(ticket=theirs, attendant=attendant2)

    html = attendant_client.get(QUEUE_URL).content.decode()
    assert "Meus atendimentos" in html
    assert queue_numbers(attendant_client.get(QUEUE_URL, {"atendente": "meus"})) == [mine.pk]
    assert queue_numbers(attendant_client.get(QUEUE_URL, {"atendente": str(attendant2.pk)})) == [theirs.pk]
    assert queue_numbers(attendant_client.get(QUEUE_URL, {"atendente": "nenhum"})) == [free.pk]


@pytest.mark.django_db
def test_filters_by_waiting_module_entity_channel_and_unread(attendant_client, attendant, person, open_ticket):
    other_entity_person = PersonFactory(entity=EntityFactory(name="Prefeitura Municipal de Ibirama"))
    other_module = ModuleFactory(name="Folha de Pagamento")
    online = open_ticket(person)
    phone = services.ticket_register_phone(
        attendant=attendant, requester=other_entity_person, module_id=other_module.pk, reason="Ligou às 9h"
    )
    answered = open_ticket(person)
    services.ticket_message_create(ticket=answered, user=attendant, body="Bom dia!")

    def numbers(**params):
        return set(queue_numbers(attendant_client.get(QUEUE_URL, params)))

    assert numbers(situacao="aguardando") == {online.pk, phone.pk}
    assert numbers(module__id__exact=other_module.pk) == {phone.pk}
    assert numbers(entity__id__exact=person.entity_id) == {online.pk, answered.pk}
    assert numbers(channel__exact=Channel.PHONE) == {phone.pk}
    assert numbers(leitura="nao-lidas") == {online.pk, phone.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["number", "name", "cpf_digits", "cpf_formatted"])
def test_search_finds_by_number_requester_name_and_cpf(attendant_client, person, other_person, open_ticket, how):
    wanted = open_ticket(person)
    open_ticket(other_person)
    term = {
        "number": str(wanted.pk),
        "name": "hauana andrade",
        "cpf_digits": person.document,
        "cpf_formatted": person.document_display,
    }[how]

    assert queue_numbers(attendant_client.get(QUEUE_URL, {"q": term})) == [wanted.pk]


@pytest.mark.django_db
def test_search_with_a_huge_number_does_not_break_the_page(attendant_client, ticket):
    response = attendant_client.get(QUEUE_URL, {"q": "9" * 40})
    assert response.status_code == 200
    assert queue_numbers(response) == []


@pytest.mark.django_db
def test_summary_shows_waiting_unread_wait_and_first_response(attendant_client, attendant, person, open_ticket):
    now = timezone.now()
    open_ticket(person, now=now - timedelta(minutes=20))
    open_ticket(person, now=now - timedelta(minutes=10))
    answered = open_ticket(person, now=now - timedelta(minutes=1))
    services.ticket_message_create(ticket=answered, user=attendant, body="Olá!")

    response = attendant_client.get(QUEUE_URL)

    summary = response.context["summary"]
    assert summary["waiting"] == 2
    assert summary["unread"] == 2
    assert summary["unread_mine"] == 0
    assert timedelta(minutes=20) <= summary["longest_wait"] < timedelta(minutes=21)
    assert timedelta(minutes=15) <= summary["average_wait"] < timedelta(minutes=16)
    assert timedelta(minutes=1) <= summary["average_first_response"] < timedelta(minutes=2)
    html = response.content.decode()
    assert '<dd data-summary="waiting">2</dd>' in html
    assert '<dd data-summary="longest-wait">20 min</dd>' in html
    assert '<dd data-summary="first-response">1 min</dd>' in html


@pytest.mark.django_db
def test_queue_page_carries_the_live_hook_and_the_take_next_button(attendant_client, ticket):
    html = attendant_client.get(QUEUE_URL).content.decode()

    assert '<div id="queue-live" data-ws="/ws/queue/">' in html
    assert "/static/js/realtime.js" in html
    assert "Atender próximo" in html
    assert reverse("admin:tickets_ticket_take_next") in html
    assert "Registrar atendimento por telefone" in html
    # The summary sits inside the form realtime.js swaps, so the numbers follow live changes.
    assert (
        html.index('id="changelist-form"')
        < html.index('id="queue-summary"')
        < html.index("</form>", html.index('id="changelist-form"'))
    )


def _bulk_tickets(count: int, *, requesters, module, attendant) -> None:
    """Many tickets at once, in every kind of queue state (bulk_create: speed, not behaviour, is under test)."""
    now = timezone.now()
    states = [
        (Status.NAO_INICIADO, None),
        (Status.EM_ATENDIMENTO, attendant),
        (Status.AGUARDANDO_RETORNO, attendant),
        (Status.OFFLINE, None),
        (Status.CONCLUIDO, attendant),
    ]
    tickets = []
    for index in range(count):
        status, holder = states[index % len(states)]
        channel = Channel.PHONE if index % 7 == 0 else Channel.ONLINE
        requester = requesters[index % len(requesters)]
        tickets.append(
            Ticket(
                requester=requester,
                entity_id=requester.entity_id,
                module=module,
                channel=channel,
                priority=CHANNEL_PRIORITY[channel],
                status=status,
                attendant=holder,
                opened_at=now - timedelta(minutes=index),
                taken_at=now if holder else None,
                last_requester_message_id=index % 3,
            )
        )
    created = Ticket.objects.bulk_create(tickets, batch_size=2000)
    # Every ticket has its opening, some a reply and a system line after it: the previews read the last person's.
    messages = []
    for index, ticket in enumerate(created):
        messages.append(
            Message(
                ticket=ticket,
                author_kind=Message.Author.REQUESTER,
                kind=Message.Kind.OPENING,
                body=f"Motivo do atendimento {index}",
                created_at=ticket.opened_at,
            )
        )
        if ticket.attendant_id:
            messages.append(
                Message(ticket=ticket, author_kind=Message.Author.ATTENDANT, body="Vou verificar.", created_at=now)
            )
            messages.append(
                Message(
                    ticket=ticket, author_kind=Message.Author.SYSTEM, kind=Message.Kind.EVENT, body="-", created_at=now
                )
            )
    Message.objects.bulk_create(messages, batch_size=5000)


#: Session, user, permissions, summary, the attendants available, the filters' choices, count, page, the logged
#: person (context processor), the wait levels, the attendant's console preference (issue 14): the same whatever
#: the data size, the previews of the last messages included (a subquery of the page's one query).
QUEUE_PAGE_QUERIES = 14


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 100_000])
def test_queue_page_runs_a_fixed_number_of_queries(
    attendant_client, attendant, attendant2, person, foreign_person, module, count, django_assert_num_queries
):
    _bulk_tickets(count, requesters=[person, foreign_person], module=module, attendant=attendant2)

    with django_assert_num_queries(QUEUE_PAGE_QUERIES):
        response = attendant_client.get(QUEUE_URL)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == min(count * 4 // 5, 100)
    html = response.content.decode()
    assert html.count('class="queue-preview"') == len(response.context["cl"].result_list)
    assert "Vou verificar." in html and "Motivo do atendimento" in html
    with django_assert_num_queries(QUEUE_PAGE_QUERIES):
        attendant_client.get(QUEUE_URL, {"atendente": "meus", "q": "SERVIDOR"})
