"""The transcript e-mail built and sent in this process: content, escaping, once, failures recorded."""

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from people.models import Contact
from tickets import services
from tickets.models import Message, Ticket, TranscriptOutbox
from tickets.tasks import send_transcript
from tickets.transcript import NO_RECIPIENT_ERROR, transcript_outbox_requeue

from .conftest import png_upload, wait_until

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def local(moment) -> str:
    return timezone.localtime(moment, SAO_PAULO).strftime("%d/%m/%Y %H:%M")


def parts(message) -> tuple[str, str]:
    html = next(body for body, mimetype in message.alternatives if mimetype == "text/html")
    return message.body, html


@pytest.mark.django_db
def test_transcript_has_every_detail_of_the_ticket_in_both_parts(conversation, person, attendant, mailoutbox):
    # A second address the person confirmed: the transcript goes to every confirmed address.
    Contact.objects.create(
        person=person, kind=Contact.Kind.EMAIL, value="segundo@riodosul.sc.gov.br", confirmed_at=timezone.now()
    )
    ticket = conversation()

    assert send_transcript.apply(args=[ticket.pk]).get() == "sent"

    (sent,) = mailoutbox
    outbox = TranscriptOutbox.objects.get(ticket=ticket)
    assert sent.subject == f"Atendimento {ticket.number} (Nota Fiscal Eletrônica Web) – Concluído"
    assert sorted(sent.to) == sorted([f"pessoa{person.pk}@prefeitura.sc.gov.br", "segundo@riodosul.sc.gov.br"])
    assert sent.extra_headers["Message-ID"] == outbox.message_id
    text, html = parts(sent)
    messages = list(ticket.messages.order_by("id"))
    for body in (text, html):
        assert f"Número do Atendimento: {ticket.number} (Nota Fiscal Eletrônica Web)" in body
        assert "Prefeitura Municipal de Rio do Sul" in body
        assert "HAUANA ANDRADE NEGHERBON" in body
        assert "Ana Paula Schmitt" in body
        assert local(ticket.opened_at) in body and local(ticket.closed_at) in body
        assert "Concluído" in body
        assert "Boa tarde, a nota 123 foi rejeitada." in body
        for message in messages:
            if message.author_kind != Message.Author.SYSTEM and message.kind != Message.Kind.OPENING:
                assert f"diz ({local(message.created_at)}):" in body
        assert "Olá, sou a Ana. Pode enviar a tela?" in body
        assert "Segue a tela do erro." in body
        assert "Reenvie a nota, por favor." in body
        for name in ("relatorio.txt", "tela.png", "passos.txt"):
            assert name in body
        assert "Os arquivos seguem anexados a este e-mail." in body
    assert "HAUANA ANDRADE NEGHERBON diz" in text and "Ana Paula Schmitt diz" in text
    assert "Podem ajudar?" in text and "rejeitada.<br>Podem ajudar?" in html
    attached = {name: (content, mimetype) for name, content, mimetype in sent.attachments}
    assert set(attached) == {"relatorio.txt", "tela.png", "passos.txt"}
    assert attached["relatorio.txt"][0] in ("Nota 123 rejeitada pela SEFAZ.\n", b"Nota 123 rejeitada pela SEFAZ.\n")
    assert attached["tela.png"][0] == png_upload().read()
    ticket.refresh_from_db()
    assert ticket.transcript_sent_at == outbox.sent_at is not None


@pytest.mark.django_db
def test_files_over_the_limit_are_listed_and_not_attached(conversation, settings, mailoutbox):
    settings.TRANSCRIPT_ATTACH_MAX_BYTES = 40
    ticket = conversation()

    send_transcript.apply(args=[ticket.pk])

    (sent,) = mailoutbox
    assert sent.attachments == []
    for body in parts(sent):
        assert "relatorio.txt" in body and "tela.png" in body
        assert "Os arquivos não foram anexados porque juntos passam de 40" in body


@pytest.mark.django_db
def test_message_text_never_becomes_markup_in_the_html_part(conversation, mailoutbox):
    """Threat: a requester types HTML or script into a message (or a file name) hoping the transcript
    e-mail renders it in the recipient's mail reader: phishing links, tracking images, script."""
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)><a href="http://mal.example">clique</a>'
    ticket = conversation(requester_reply=payload)

    send_transcript.apply(args=[ticket.pk])

    (sent,) = mailoutbox
    text, html = parts(sent)
    assert "<script>" not in html and "<img src=x" not in html and '<a href="http://mal.example">' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert payload in text  # the plain part shows exactly what was typed, unescaped


@pytest.mark.django_db
def test_task_run_twice_sends_once_with_one_message_id(conversation, mailoutbox):
    ticket = conversation()

    first = send_transcript.apply(args=[ticket.pk]).get()
    second = send_transcript.apply(args=[ticket.pk]).get()

    assert (first, second) == ("sent", "already_sent")
    assert len(mailoutbox) == 1
    outbox = TranscriptOutbox.objects.get(ticket=ticket)
    assert outbox.attempts == 1 and outbox.message_id.endswith(f".atendimento-{ticket.pk}@ipm.com.br>")


@pytest.mark.django_db
def test_missing_ticket_is_logged_not_raised(caplog):
    result = send_transcript.apply(args=[987654321])
    assert result.successful() and result.get() == "missing"
    assert "987654321" in caplog.text


@pytest.mark.django_db
def test_requester_without_email_is_recorded_as_failed_without_crash(conversation, person, mailoutbox):
    ticket = conversation()
    person.contacts.filter(kind=Contact.Kind.EMAIL).delete()

    result = send_transcript.apply(args=[ticket.pk])

    assert result.successful() and result.get() == "no_recipient"
    outbox = TranscriptOutbox.objects.get(ticket=ticket)
    assert outbox.failed_at is not None and outbox.sent_at is None
    assert outbox.last_error == NO_RECIPIENT_ERROR
    assert mailoutbox == []


@pytest.mark.django_db
def test_temporary_refusals_are_retried_until_the_server_accepts(conversation, smtp_mailer, settings):
    settings.TRANSCRIPT_MAX_RETRIES = 3
    smtp_mailer.refuse_next(2)
    ticket = conversation()

    assert send_transcript.apply(args=[ticket.pk]).get() == "sent"

    assert smtp_mailer.attempts == 3 and len(smtp_mailer.received) == 1
    outbox = TranscriptOutbox.objects.get(ticket=ticket)
    assert outbox.attempts == 3 and outbox.failed_at is None and outbox.last_error == ""
    assert smtp_mailer.received[0]["Message-ID"].strip() == outbox.message_id


@pytest.mark.django_db
def test_after_the_last_retry_the_failure_is_recorded_with_the_error(conversation, smtp_mailer, settings):
    settings.TRANSCRIPT_MAX_RETRIES = 2
    smtp_mailer.refuse_next(10)
    ticket = conversation()

    assert send_transcript.apply(args=[ticket.pk]).get() == "failed"

    assert smtp_mailer.attempts == 3 and smtp_mailer.received == []
    outbox = TranscriptOutbox.objects.get(ticket=ticket)
    assert outbox.sent_at is None and outbox.failed_at is not None and outbox.attempts == 3
    assert "451" in outbox.last_error and "Falha temporaria" in outbox.last_error


@pytest.mark.django_db
def test_permanent_refusal_fails_at_once_without_retrying(conversation, smtp_mailer, settings):
    settings.TRANSCRIPT_MAX_RETRIES = 5
    smtp_mailer.refuse_next(1, "550 5.1.1 Caixa postal inexistente")
    ticket = conversation()

    assert send_transcript.apply(args=[ticket.pk]).get() == "failed"

    assert smtp_mailer.attempts == 1
    outbox = TranscriptOutbox.objects.get(ticket=ticket)
    assert outbox.failed_at is not None and "550" in outbox.last_error


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_wait_on_the_row_lock_and_send_once(conversation, smtp_mailer):
    ticket = conversation()
    smtp_mailer.hold_next_message()  # the first run stays inside the SMTP conversation
    results: dict[str, str] = {}

    def run(name: str) -> None:
        try:
            results[name] = send_transcript.apply(args=[ticket.pk]).get()
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",))
    first.start()
    wait_until(smtp_mailer.holding.is_set)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second.join(timeout=1.5)
    assert second.is_alive(), "the second run must wait for the first one's lock"
    smtp_mailer.release()  # the held delivery is refused: the first run retries, the second waits its turn
    first.join(timeout=30)
    second.join(timeout=30)

    assert sorted(results.values()) == ["already_sent", "sent"]
    assert len(smtp_mailer.received) == 1
    assert TranscriptOutbox.objects.get(ticket=ticket).sent_at is not None


@pytest.mark.django_db
def test_sweep_requeues_old_unsent_rows_only(person, open_ticket, settings, mailoutbox):
    from atende_chat.celery import app

    def concluded() -> Ticket:
        ticket = open_ticket(person)
        services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
        return ticket

    settings.TRANSCRIPT_SWEEP_AFTER = 60
    old = timezone.now() - timedelta(minutes=10)
    stuck, failed, sent, retrying, recent = (concluded() for _ in range(5))
    TranscriptOutbox.objects.filter(ticket__in=[stuck, failed, sent, retrying]).update(created_at=old)
    TranscriptOutbox.objects.filter(ticket=failed).update(failed_at=old, last_error="x")
    TranscriptOutbox.objects.filter(ticket=sent).update(sent_at=old)
    cache.set(f"transcript:retry:{retrying.pk}", True, 60)

    # Run what the sweep queues inline, as the embedded mode does, to see what it queued.
    app.conf.task_always_eager = True
    try:
        queued = transcript_outbox_requeue()
    finally:
        app.conf.task_always_eager = False

    assert queued == 1
    (mail,) = mailoutbox
    assert mail.subject.startswith(f"Atendimento {stuck.number} ")
    assert TranscriptOutbox.objects.get(ticket=recent).sent_at is None


@pytest.mark.django_db
def test_inline_mode_records_a_failure_at_once_instead_of_retrying_inside_the_request(
    ticket, person, smtp_mailer, django_capture_on_commit_callbacks
):
    from atende_chat.celery import app

    smtp_mailer.refuse_next(10)
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    finally:
        app.conf.task_always_eager = False

    assert smtp_mailer.attempts == 1
    outbox = TranscriptOutbox.objects.get(ticket=ticket)
    assert outbox.failed_at is not None and "451" in outbox.last_error
