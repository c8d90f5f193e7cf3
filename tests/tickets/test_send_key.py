"""A send from the page's script (issue 13, point 1): JSON instead of a redirect, and a client-made key
that makes a retry safe. The same service does the work as for the plain form."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tickets import errors, services
from tickets.models import Message

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}


def chat_url(ticket) -> str:
    return reverse("chat-ticket", args=[ticket.number])


def admin_url(ticket) -> str:
    return reverse("admin:tickets_ticket_change", args=[ticket.number])


def send(client, url, **data):
    return client.post(url, data, **XHR)


def test_a_send_answers_with_the_saved_line_rendered_by_the_server(person_client, ticket):
    key = str(uuid.uuid4())
    response = send(person_client, chat_url(ticket), body="Segue a nota.", client_key=key)
    assert response.status_code == 200
    [line] = response.json()["messages"]
    message = Message.objects.get(pk=line["id"])
    assert str(message.client_key) == key
    assert f'data-id="{message.pk}"' in line["html"] and f'data-key="{key}"' in line["html"]
    # Nobody has answered yet: the requester's page draws it as under "Mensagens Anteriores".
    assert "Enviado em:" in line["html"] and "Segue a nota." in line["html"]


def test_a_repeated_key_returns_the_message_already_saved_and_saves_nothing_twice(person_client, ticket):
    key = str(uuid.uuid4())
    first = send(person_client, chat_url(ticket), body="Uma vez só", client_key=key)
    again = send(person_client, chat_url(ticket), body="Uma vez só", client_key=key)
    assert first.status_code == again.status_code == 200
    assert [m["id"] for m in again.json()["messages"]] == [m["id"] for m in first.json()["messages"]]
    assert Message.objects.filter(ticket=ticket, body="Uma vez só").count() == 1


def test_a_repeated_key_of_a_text_with_a_file_returns_both_messages(person, ticket):
    key = uuid.uuid4()
    upload = SimpleUploadedFile("nota.txt", b"conteudo da nota\n", content_type="text/plain")
    first = services.ticket_message_create(
        ticket=ticket, user=person.user, body="Com anexo", files=[upload], client_key=key
    )
    again = services.ticket_message_create(ticket=ticket, user=person.user, body="Com anexo", client_key=str(key))
    assert [m.pk for m in again] == [m.pk for m in first]
    assert [m.kind for m in first] == [Message.Kind.TEXT, Message.Kind.FILES]
    assert ticket.messages.count() == 3


def test_a_key_of_another_ticket_is_refused_with_a_clear_message(person, person_client, ticket, open_ticket):
    other = open_ticket(person, reason="Outro assunto")
    key = uuid.uuid4()
    services.ticket_message_create(ticket=other, user=person.user, body="No outro", client_key=key)
    before = Message.objects.count()
    response = send(person_client, chat_url(ticket), body="Aqui", client_key=str(key))
    assert response.status_code == 400
    assert response.json()["error"] == errors.KEY_OF_ANOTHER_TICKET
    assert Message.objects.count() == before


def test_a_key_of_another_person_on_the_same_ticket_is_refused(person, ticket, attendant):
    key = uuid.uuid4()
    services.ticket_message_create(ticket=ticket, user=person.user, body="Minha", client_key=key)
    with pytest.raises(errors.InvalidInput) as refused:
        services.ticket_message_create(ticket=ticket, user=attendant, body="Dele", client_key=key)
    assert refused.value.message == errors.KEY_OF_ANOTHER_TICKET
    assert not Message.objects.filter(body="Dele").exists()


def test_a_malformed_key_is_refused(person_client, ticket):
    response = send(person_client, chat_url(ticket), body="Oi", client_key="não-é-uma-chave")
    assert response.status_code == 400
    assert response.json()["error"] == errors.KEY_INVALID
    assert not Message.objects.filter(body="Oi").exists()


def test_a_send_to_a_concluded_ticket_is_refused_but_a_retry_of_a_saved_one_still_answers(
    person, person_client, ticket
):
    key = str(uuid.uuid4())
    saved = send(person_client, chat_url(ticket), body="Antes de concluir", client_key=key).json()["messages"]
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    refused = send(person_client, chat_url(ticket), body="Depois", client_key=str(uuid.uuid4()))
    assert refused.status_code == 400
    assert refused.json() == {"error": errors.TICKET_CLOSED, "code": "closed"}
    assert not Message.objects.filter(body="Depois").exists()
    # The answer to the first send was lost: its retry gets what was saved then.
    retry = send(person_client, chat_url(ticket), body="Antes de concluir", client_key=key)
    assert retry.status_code == 200
    assert [m["id"] for m in retry.json()["messages"]] == [m["id"] for m in saved]


def test_a_rate_limited_send_is_429_in_portuguese_and_saves_nothing(settings, person_client, ticket):
    settings.MESSAGE_RATE_LIMIT = 2  # the opening counted one
    assert send(person_client, chat_url(ticket), body="1", client_key=str(uuid.uuid4())).status_code == 200
    response = send(person_client, chat_url(ticket), body="2", client_key=str(uuid.uuid4()))
    assert response.status_code == 429
    assert response.json()["error"] == (
        "Você enviou muitas mensagens em pouco tempo. Aguarde um minuto e tente novamente."
    )
    assert not Message.objects.filter(body="2").exists()


def test_a_refused_file_says_why_next_to_its_name(person_client, ticket):
    upload = SimpleUploadedFile("planilha.xls", b"nao permitido", content_type="application/vnd.ms-excel")
    response = client_post_file(person_client, chat_url(ticket), upload)
    assert response.status_code == 400
    assert response.json()["error"].startswith("“planilha.xls”: tipo de arquivo não permitido.")
    assert ticket.messages.count() == 1


def client_post_file(client, url, upload):
    return client.post(url, {"body": "", "files": [upload], "client_key": str(uuid.uuid4())}, **XHR)


def test_the_attendant_sends_from_the_admin_without_leaving_the_page(attendant_client, ticket):
    key = str(uuid.uuid4())
    response = send(attendant_client, admin_url(ticket), body="Boa tarde!", client_key=key)
    assert response.status_code == 200
    [line] = response.json()["messages"]
    assert "Ana Paula Schmitt" in line["html"] and " diz (" in line["html"]
    again = send(attendant_client, admin_url(ticket), body="Boa tarde!", client_key=key)
    assert again.json()["messages"][0]["id"] == line["id"]
    assert ticket.messages.filter(body="Boa tarde!").count() == 1


def test_the_plain_form_still_posts_and_redirects_without_a_key(person_client, attendant_client, ticket):
    response = person_client.post(chat_url(ticket), {"body": "Sem JavaScript"})
    assert response.status_code == 302
    response = attendant_client.post(admin_url(ticket), {"body": "Também sem JavaScript"})
    assert response.status_code == 302
    assert list(ticket.messages.order_by("id").values_list("body", "client_key"))[-2:] == [
        ("Sem JavaScript", None),
        ("Também sem JavaScript", None),
    ]


def test_a_line_break_counts_once_against_the_limit(person, ticket):
    """The browser counts a line break as one character; the form sends CRLF."""
    body = ("a" * 99 + "\r\n") * 50
    [message] = services.ticket_message_create(ticket=ticket, user=person.user, body=body[: 5000 + 49])
    assert "\r" not in message.body and len(message.body) <= 5000
