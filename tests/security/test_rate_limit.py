"""At most MESSAGE_RATE_LIMIT (30) messages and files a minute per user, on the staff pages and in the admin.

Threat: a script (or a stuck key) floods a conversation, the attendants' queue and the disk with
messages or files. Past the limit the request is refused with 429 and a clear Portuguese message,
and nothing is saved; other users are not affected.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from attachments.models import Attachment
from tests.conftest import login
from tickets import errors
from tickets.models import Message

LIMIT = 30


@pytest.fixture(autouse=True)
def fresh_window(settings, tmp_path):
    """The counter is per clock minute: start well inside one, so the test never straddles two."""
    settings.MEDIA_ROOT = str(tmp_path)
    assert settings.MESSAGE_RATE_LIMIT == LIMIT, "the default the product promises"
    second = timezone.now().second
    if second >= 50:
        time.sleep(60.5 - second)


def txt(n: int) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"nota-{i}.txt", b"nota fiscal\n", content_type="text/plain") for i in range(n)]


def test_the_message_past_thirty_a_minute_gets_429_in_portuguese_and_is_not_saved(person_client, ticket, attendant):
    url = f"/chat/atendimentos/{ticket.number}/"
    # Opening the ticket was the first of the thirty.
    for i in range(LIMIT - 1):
        assert person_client.post(url, {"body": f"Mensagem {i}"}).status_code == 302, i
    response = person_client.post(url, {"body": "Uma a mais"})
    assert response.status_code == 429
    page = response.content.decode()
    assert errors.RATE_LIMITED in page
    assert errors.RATE_LIMITED == "Você enviou muitas mensagens em pouco tempo. Aguarde um minuto e tente novamente."
    assert "Uma a mais</textarea>" in page, "what was typed stays in the box"
    assert not Message.objects.filter(body="Uma a mais").exists()
    # The limit is per user: the attendant still answers.
    reply = login(Client(), attendant).post(f"/admin/tickets/ticket/{ticket.number}/change/", {"body": "Estou aqui"})
    assert reply.status_code == 302


def test_each_file_counts_and_a_refused_batch_stores_no_file(person_client, ticket):
    url = f"/chat/atendimentos/{ticket.number}/"
    for _ in range(2):  # 1 (opening) + 2 x (1 message + 10 files) = 23
        assert person_client.post(url, {"body": "Seguem notas", "files": txt(10)}).status_code == 302
    stored = Attachment.objects.count()
    response = person_client.post(url, {"files": txt(8)})  # 31
    assert response.status_code == 429
    assert errors.RATE_LIMITED in response.content.decode()
    assert Attachment.objects.count() == stored == 20


def test_opening_tickets_counts_too(person_client, module, settings):
    settings.OPEN_TICKETS_MAX = LIMIT + 1  # thirty open tickets: more than one person may hold by default
    for i in range(LIMIT):
        assert person_client.post("/chat/novo/", {"module": module.pk, "reason": f"Motivo {i}"}).status_code == 302
    response = person_client.post("/chat/novo/", {"module": module.pk, "reason": "Mais um"})
    assert response.status_code == 429
    assert errors.RATE_LIMITED in response.content.decode()


def test_the_admin_reply_past_thirty_a_minute_gets_429_with_the_message_and_keeps_the_text(attendant, ticket):
    client = login(Client(), attendant)
    url = f"/admin/tickets/ticket/{ticket.number}/change/"
    for i in range(LIMIT):
        assert client.post(url, {"body": f"Resposta {i}"}).status_code == 302, i
    response = client.post(url, {"body": "Resposta a mais"})
    assert response.status_code == 429
    page = response.content.decode()
    assert errors.RATE_LIMITED in page
    assert "Resposta a mais</textarea>" in page
    assert not Message.objects.filter(body="Resposta a mais").exists()
