"""The transcript e-mail is written in the requester's language (issue 18): English or pt-BR, dates included."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from people.services import user_language_set
from tickets.tasks import send_transcript

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def parts(message) -> tuple[str, str]:
    html = next(body for body, mimetype in message.alternatives if mimetype == "text/html")
    return message.body, html


def words(html: str) -> str:
    """The HTML part as a reader sees it: tags gone, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.django_db
def test_a_requester_who_chose_english_gets_the_transcript_in_english(conversation, person, mailoutbox):
    user_language_set(user=person.user, language="en")
    ticket = conversation()

    assert send_transcript.apply(args=[ticket.pk]).get() == "sent"

    (sent,) = mailoutbox
    assert sent.subject == f"Ticket {ticket.number} (Nota Fiscal Eletrônica Web) – Concluded"
    text, html = parts(sent)
    opened = timezone.localtime(ticket.opened_at, SAO_PAULO)
    us_date = f"{opened:%m/%d/%Y} {opened.hour % 12 or 12}:{opened:%M} {'AM' if opened.hour < 12 else 'PM'}"
    for body in (text, words(html)):
        assert "Hello, HAUANA ANDRADE NEGHERBON." in body
        assert "Your on-line ticket has been concluded. This is the full transcript." in body
        assert f"Ticket Number: {ticket.number} (Nota Fiscal Eletrônica Web)" in body
        assert f"Opening Date: {us_date}" in body
        assert "Ana Paula Schmitt says (" in body
        assert "The user added attachments to the ticket." in body  # a fixed system line, stored in Portuguese
        assert "The files are attached to this e-mail." in body
        assert "This message was sent automatically; there is no need to reply." in body
        # What people typed is never translated.
        assert "Reenvie a nota, por favor." in body
        for portuguese in ("Olá, HAUANA", "Número do Atendimento", "diz (", "Enviado em", "Situação", "Arquivos"):
            assert portuguese not in body, portuguese
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_a_requester_in_portuguese_gets_it_in_portuguese_whatever_the_worker_runs_in(conversation, person, mailoutbox):
    user_language_set(user=person.user, language="pt-br")
    ticket = conversation()

    with translation.override("en"):  # the worker's own language does not matter
        send_transcript.apply(args=[ticket.pk]).get()

    (sent,) = mailoutbox
    assert sent.subject == f"Atendimento {ticket.number} (Nota Fiscal Eletrônica Web) – Concluído"
    text, html = parts(sent)
    opened = timezone.localtime(ticket.opened_at, SAO_PAULO)
    for body in (text, words(html)):
        assert "Olá, HAUANA ANDRADE NEGHERBON." in body
        assert f"{opened:%d/%m/%Y %H:%M}" in body
        assert "O usuário adicionou anexos ao atendimento." in body
        assert "Hello" not in body and "Ticket" not in body
    assert '<html lang="pt-BR">' in html
