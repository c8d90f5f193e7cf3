"""The ticket page of the admin is the conversation (S15, S21, S24)."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tickets import errors, services
from tickets.models import Message, Status, Ticket


def ticket_url(ticket: Ticket) -> str:
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


@pytest.mark.django_db
def test_conversation_shows_the_whole_dialog_with_each_authors_name(
    attendant_client, attendant, person, ticket, settings
):
    services.ticket_message_create(ticket=ticket, user=attendant, body="Olá, em que posso ajudar?")
    services.ticket_message_create(ticket=ticket, user=person.user, body="A nota não transmite.")

    response = attendant_client.get(ticket_url(ticket))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Número do Atendimento: {ticket.pk} (Nota Fiscal Eletrônica Web)" in html
    assert html.count("<strong>HAUANA ANDRADE NEGHERBON</strong> diz (") == 2
    assert html.count("<strong>Ana Paula Schmitt</strong> diz (") == 1
    bodies = ["Boa tarde, podem por favor me auxiliar?", "Olá, em que posso ajudar?", "A nota não transmite."]
    positions = [html.index(body) for body in bodies]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_conversation_follows_the_shared_markup_contract(attendant_client, ticket):
    html = attendant_client.get(ticket_url(ticket)).content.decode()
    last_id = ticket.messages.last().pk

    assert (
        f'<ol id="dialog" class="dialog" data-ticket="{ticket.pk}" data-last-id="{last_id}" '
        f'data-ws="/ws/tickets/{ticket.pk}/"'
    ) in html
    assert '<span id="ticket-status">Atendimento Não Iniciado</span>' in html
    assert '<form id="message-form" method="post"' in html and 'enctype="multipart/form-data"' in html
    assert '<p id="connection-status" role="status" aria-live="polite" hidden>' in html
    assert 'name="files" multiple' in html  # the shared drop zone
    assert "/static/js/realtime.js" in html
    assert "<script>" not in html  # CSP: script-src 'self', no inline scripts


@pytest.mark.django_db
def test_opening_the_conversation_marks_the_requesters_messages_read(attendant_client, ticket):
    assert Ticket.objects.get(pk=ticket.pk).unread_for_attendant

    attendant_client.get(ticket_url(ticket))

    assert not Ticket.objects.get(pk=ticket.pk).unread_for_attendant


@pytest.mark.django_db
def test_looking_at_a_ticket_held_by_another_attendant_leaves_it_unread_for_them(
    attendant_client, attendant2, person, ticket
):
    services.ticket_take(ticket=ticket, attendant=attendant2)
    services.ticket_message_create(ticket=ticket, user=person.user, body="Ainda estou aguardando.")

    response = attendant_client.get(ticket_url(ticket))

    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).unread_for_attendant
    html = response.content.decode()
    assert 'id="message-form"' not in html
    assert "Este atendimento está com Bruno Kowalski." in html


@pytest.mark.django_db
def test_first_reply_takes_the_ticket_and_sets_first_response(attendant_client, attendant, person, ticket):
    response = attendant_client.post(ticket_url(ticket), {"body": "Bom dia! Vou verificar."})

    assert response.status_code == 302 and response.url == ticket_url(ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.EM_ATENDIMENTO and ticket.attendant == attendant
    first_response = ticket.first_response_at
    assert first_response is not None and first_response >= ticket.opened_at
    assert ticket.unread_for_requester
    reply = ticket.messages.last()
    assert (reply.author_kind, reply.author_name, reply.body) == (
        Message.Author.ATTENDANT,
        "Ana Paula Schmitt",
        "Bom dia! Vou verificar.",
    )

    attendant_client.post(ticket_url(ticket), {"body": "Pronto, verificado."})
    ticket.refresh_from_db()
    assert ticket.first_response_at == first_response  # only the first reply counts


@pytest.mark.django_db
def test_reply_with_a_file_stores_it_and_says_the_attendant_sent_a_file(attendant_client, ticket):
    upload = SimpleUploadedFile("orientacoes.txt", b"Passo 1: acesse o modulo.\n", content_type="text/plain")

    response = attendant_client.post(ticket_url(ticket), {"body": "Segue o passo a passo.", "files": [upload]})

    assert response.status_code == 302
    files_message = ticket.messages.get(kind=Message.Kind.FILES)
    assert files_message.body == "O atendente enviou um arquivo"
    (attachment,) = files_message.attachments.all()
    assert attachment.original_name == "orientacoes.txt"
    html = attendant_client.get(ticket_url(ticket)).content.decode()
    assert reverse("attachment-download", args=[attachment.pk]) in html


@pytest.mark.django_db
def test_empty_reply_is_refused_keeps_nothing_and_says_why(attendant_client, ticket):
    before = ticket.messages.count()

    response = attendant_client.post(ticket_url(ticket), {"body": "   "})

    assert response.status_code == 400
    assert [m.message for m in get_messages(response.wsgi_request)] == [errors.MESSAGE_EMPTY]
    assert ticket.messages.count() == before
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NAO_INICIADO


@pytest.mark.django_db
def test_reply_to_a_ticket_of_another_attendant_is_refused_and_the_text_kept(attendant_client, attendant2, ticket):
    services.ticket_take(ticket=ticket, attendant=attendant2)
    before = ticket.messages.count()

    response = attendant_client.post(ticket_url(ticket), {"body": "Deixa que eu respondo."})

    assert response.status_code == 400
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        errors.NOT_YOUR_TICKET.format(name="Bruno Kowalski")
    ]
    assert ticket.messages.count() == before
    assert Ticket.objects.get(pk=ticket.pk).attendant == attendant2


@pytest.mark.django_db
def test_a_refused_reply_keeps_what_was_typed(attendant_client, ticket, settings):
    settings.ATTACHMENT_MAX_FILES = 1
    files = [SimpleUploadedFile(f"{n}.txt", b"x", content_type="text/plain") for n in range(2)]

    response = attendant_client.post(ticket_url(ticket), {"body": "Texto longo digitado", "files": files})

    assert response.status_code == 400
    assert "Texto longo digitado</textarea>" in response.content.decode()
    assert ticket.messages.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["999999", "abc"])
def test_conversation_of_a_missing_ticket_is_404(attendant_client, number):
    assert attendant_client.get(f"/admin/tickets/ticket/{number}/change/").status_code == 404


def _conversation_with(ticket: Ticket, *, attendant, person, exchanges: int) -> None:
    for index in range(exchanges):
        upload = SimpleUploadedFile(f"arquivo{index}.txt", b"conteudo", content_type="text/plain")
        services.ticket_message_create(ticket=ticket, user=attendant, body=f"Resposta {index}", files=[upload])
        services.ticket_message_create(ticket=ticket, user=person.user, body=f"Pergunta {index}")


#: Session, user, permissions, ticket (with the holder's person), messages, their files, contacts, attendants and
#: who of them is available, the hand-offs seen and the last transfer note, the canned replies, the attendant's
#: console preference (issue 14), the read mark, the logged person (context processor): the same however long
#: the dialog.
CONVERSATION_QUERIES = 15


@pytest.mark.django_db
@pytest.mark.parametrize("exchanges", [1, 25])
def test_conversation_page_runs_a_fixed_number_of_queries(
    attendant_client, attendant, person, ticket, exchanges, settings, django_assert_num_queries
):
    settings.MESSAGE_RATE_LIMIT = 0
    _conversation_with(ticket, attendant=attendant, person=person, exchanges=exchanges)

    with django_assert_num_queries(CONVERSATION_QUERIES):
        response = attendant_client.get(ticket_url(ticket))

    assert response.status_code == 200
    assert len(response.context["dialog"]) == 1 + 3 * exchanges


@pytest.mark.django_db
def test_conversation_page_costs_the_same_with_100000_tickets_in_the_database(
    attendant_client, attendant, attendant2, person, foreign_person, module, ticket
):
    """Issue 14: the console's additions (notes, canned replies, hand-offs, presence) read by the ticket, not by
    scanning the tickets of everyone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .test_admin_queue import _bulk_tickets

    _conversation_with(ticket, attendant=attendant, person=person, exchanges=1)
    attendant_client.get(ticket_url(ticket))  # the first visit reads the requester's lines

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert attendant_client.get(ticket_url(ticket)).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    _bulk_tickets(100_000, requesters=[person, foreign_person], module=module, attendant=attendant2)
    assert queries() == few
