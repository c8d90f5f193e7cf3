"""Hostile text typed by users renders as text everywhere it is shown: staff pages, admin, e-mail.

Threat (stored XSS): a requester, an attendant or whoever edits a person or a module types markup
("<script>", an <img onerror>, a javascript: link) into a message, a reason, a name, a module name
or a file name, hoping it runs in the other side's browser or mail reader with their rights.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import login
from tests.factories import AttendantFactory, EntityFactory, ModuleFactory, PersonFactory
from tickets import services
from tickets.transcript import transcript_message_build

from .html import inspect


def payload(tag: str) -> str:
    return (
        f'<script>alert("{tag}")</script><img src=x onerror=alert("{tag}")>'
        f'"\'><svg onload=alert(1)><a href="javascript:alert(1)">{tag}</a>'
    )


# File names lose everything up to the last "/" or "\" (attachments/validators.py): no closing tags.
FILE_PAYLOAD = '"><img src=x onerror=alert(1)><svg onload=alert(2)>ARQUIVO-XSS.txt'
PAYLOADS = {
    "person": payload("PESSOA-XSS")[:200],
    "module": payload("MODULO-XSS")[:120],
    "reason": payload("MOTIVO-XSS"),
    "message": payload("MENSAGEM-XSS"),
    "reply": payload("RESPOSTA-XSS"),
    "attendant": payload("ATENDENTE-XSS")[:150],
    "file": FILE_PAYLOAD,
}


@pytest.fixture
def hostile(db, settings, tmp_path):
    """A ticket where every user-typed field carries markup, answered by an attendant with a hostile name."""
    settings.MEDIA_ROOT = str(tmp_path)
    person = PersonFactory(entity=EntityFactory(), name=PAYLOADS["person"])
    module = ModuleFactory(name=PAYLOADS["module"])
    attendant = AttendantFactory(first_name=PAYLOADS["attendant"], last_name="")
    upload = SimpleUploadedFile(FILE_PAYLOAD, b"texto\n", content_type="text/plain")
    ticket = services.ticket_open(requester=person, module_id=module.pk, reason=PAYLOADS["reason"], files=[upload])
    services.ticket_message_create(ticket=ticket, user=person.user, body=PAYLOADS["message"])
    services.ticket_message_create(ticket=ticket, user=attendant, body=PAYLOADS["reply"])
    return person, attendant, ticket


def assert_inert(html: bytes | str, where: str) -> str:
    found = inspect(html)
    assert found.live_code == [], f"{where}: live code {found.live_code}"
    raw = html.decode() if isinstance(html, bytes) else html
    assert "<img src=x" not in raw and "<svg onload" not in raw and "<script>alert(" not in raw, where
    return found.text


def test_hostile_text_is_shown_as_text_on_every_staff_page(hostile):
    person, _, ticket = hostile
    client = login(Client(), person.user)
    shown = ""
    for url in [
        "/",
        "/chat/",
        "/chat/painel/",
        "/chat/atendimento-on-line/",
        "/chat/novo/",
        "/chat/meus-dados/",
        "/cadastro/",
        f"/chat/atendimentos/{ticket.number}/",
        f"/chat/atendimentos/{ticket.number}/informacoes/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        shown += assert_inert(response.content, url)
    # Rendered, escaped, whole: what was typed is what the reader sees.
    for field in ("person", "module", "reason", "message", "reply", "attendant", "file"):
        assert PAYLOADS[field] in shown, field


def test_hostile_text_is_shown_as_text_in_the_admin_queue_and_conversation(hostile):
    person, attendant, ticket = hostile
    client = login(Client(), attendant)
    queue = client.get("/admin/tickets/ticket/")
    conversation = client.get(f"/admin/tickets/ticket/{ticket.number}/change/")
    person_page = client.get(f"/admin/people/person/{person.pk}/change/")
    assert queue.status_code == conversation.status_code == person_page.status_code == 200
    in_queue = assert_inert(queue.content, "queue")
    in_conversation = assert_inert(conversation.content, "conversation")
    assert_inert(person_page.content, "person")
    for field in ("person", "module"):
        assert PAYLOADS[field] in in_queue, field
    for field in ("person", "module", "reason", "message", "reply", "attendant", "file"):
        assert PAYLOADS[field] in in_conversation, field


def test_a_refused_admin_reply_echoes_the_typed_text_escaped(hostile, settings):
    """The reply box keeps what was typed after a refusal: inside a <textarea>, still escaped."""
    _, attendant, ticket = hostile
    settings.MESSAGE_RATE_LIMIT = 1
    client = login(Client(), attendant)
    response = client.post(f"/admin/tickets/ticket/{ticket.number}/change/", {"body": "</textarea>" + payload("ECO")})
    assert response.status_code == 429
    assert "</textarea>" + payload("ECO") in assert_inert(response.content, "refused reply")


def test_hostile_text_is_shown_as_text_in_the_transcript_email(hostile):
    person, _, ticket = hostile
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    ticket.refresh_from_db()
    email = transcript_message_build(ticket=ticket, message_id="<xss@atende.test>", to=["a@b.c"])
    html = next(body for body, mimetype in email.alternatives if mimetype == "text/html")
    shown = assert_inert(html, "e-mail")
    for field in ("person", "module", "reason", "message", "reply", "attendant", "file"):
        assert PAYLOADS[field] in shown, field
    # The subject is a header, not markup; it carries the module name as typed, on one line.
    assert "\n" not in email.subject and PAYLOADS["module"] in email.subject
