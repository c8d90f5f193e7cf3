"""Small leaks and sloppy answers (issue 15, point 13).

Threats: a shared computer's browser keeps a staff member's conversation in its cache and shows it to the
next person (Back button, history); development e-mails (transcripts, verification links) readable by
every account on the machine; a NUL character that a form used to swallow with a 200 (or PostgreSQL
refuses with a 500).
"""

import email
import email.policy
import stat

import pytest
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse

from atende_chat.middleware import NUL_REFUSED
from people.models import Person
from tests.conftest import login
from tickets.models import Message, Ticket


@pytest.fixture
def chat_urls(ticket):
    number = ticket.number
    return [
        "/chat/",
        "/chat/painel/",
        "/chat/atendimento-on-line/",
        "/chat/novo/",
        "/chat/meus-dados/",
        f"/chat/atendimentos/{number}/",
        f"/chat/atendimentos/{number}/informacoes/",
        "/cadastro/",
    ]


@pytest.mark.django_db
def test_staff_chat_pages_are_never_stored_by_the_browser(person_client, chat_urls, attendant_client, ticket):
    for url in chat_urls:
        response = person_client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"], url
    # The attendants' pages too (the admin's own never_cache).
    conversation = attendant_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert "no-store" in conversation["Cache-Control"]


def test_development_mail_files_are_readable_by_their_owner_only(settings, tmp_path):
    folder = tmp_path / "mail"
    settings.MAILERS = {
        "default": {"BACKEND": "atende_chat.mail.PrivateFileEmailBackend", "OPTIONS": {"file_path": str(folder)}}
    }
    EmailMessage(subject="Transcrição", body="Conversa privada", to=["a@prefeitura.sc.gov.br"]).send()
    (written,) = folder.glob("*.log")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    message = email.message_from_bytes(written.read_bytes().split(b"\n" + b"-" * 79)[0], policy=email.policy.default)
    assert message.get_content().strip() == "Conversa privada"


def _refused(response) -> None:
    assert response.status_code == 400
    assert str(NUL_REFUSED) in response.content.decode()


@pytest.mark.django_db
def test_a_form_with_nul_answers_400_and_changes_nothing(person_client, person, module, ticket, attendant_client):
    _refused(person_client.post("/chat/novo/", {"module": module.pk, "reason": "Erro na\x00 nota"}))
    assert Ticket.objects.count() == 1
    before = Message.objects.count()
    _refused(person_client.post(f"/chat/atendimentos/{ticket.number}/", {"body": "oi\x00"}))
    _refused(attendant_client.post(reverse("admin:tickets_ticket_change", args=[ticket.pk]), {"body": "\x00"}))
    assert Message.objects.count() == before
    name = person.name
    _refused(person_client.post("/cadastro/", {"kind": "F", "name": "NOVO\x00NOME", "document": ""}))
    assert Person.objects.get(pk=person.pk).name == name
    # Anonymous forms and query strings as well.
    client = Client()
    _refused(client.post("/accounts/login/", {"username": "x\x00", "password": "y"}))
    _refused(attendant_client.get(reverse("admin:tickets_ticket_changelist") + "?q=a%00b"))


@pytest.mark.django_db
def test_a_forged_post_with_nul_is_still_a_csrf_403(person):
    client = login(Client(enforce_csrf_checks=True), person.user)
    response = client.post("/chat/novo/", {"reason": "\x00"})
    assert response.status_code == 403
