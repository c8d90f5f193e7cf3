"""The outbox in the admin: a failed transcript is visible with its error and can be sent again."""

import pytest
from django.urls import reverse

from atende_chat.celery import app
from tickets import services
from tickets.models import TranscriptOutbox
from tickets.tasks import send_transcript

CHANGELIST = reverse("admin:tickets_transcriptoutbox_changelist")


@pytest.fixture
def inline_tasks():
    """Queued tasks run inline, as in the embedded mode, so the re-queued e-mail can be seen at once."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def failed_transcript(ticket, person, settings, smtp_mailer):
    settings.TRANSCRIPT_MAX_RETRIES = 1
    smtp_mailer.refuse_next(10)
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    assert send_transcript.apply(args=[ticket.pk]).get() == "failed"
    return TranscriptOutbox.objects.get(ticket=ticket)


@pytest.mark.django_db
def test_failed_transcript_shows_its_state_and_error_to_attendants(failed_transcript, attendant_client):
    response = attendant_client.get(CHANGELIST, {"situacao": "falhou"})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Transcrição do atendimento {failed_transcript.ticket_id}" in page
    assert "Falhou" in page and "SMTPDataError: (451" in page
    assert "Enviar novamente" in page


@pytest.mark.django_db
def test_send_again_resets_the_failure_and_sends(
    failed_transcript, attendant_client, smtp_mailer, inline_tasks, django_capture_on_commit_callbacks
):
    smtp_mailer.reset()  # the server works again
    message_id = failed_transcript.message_id

    with django_capture_on_commit_callbacks(execute=True):
        response = attendant_client.post(
            CHANGELIST, {"action": "resend", "_selected_action": [failed_transcript.pk]}, follow=True
        )

    assert "1 e-mail(s) de transcrição enviado(s) novamente para a fila." in response.content.decode()
    failed_transcript.refresh_from_db()
    assert failed_transcript.sent_at is not None and failed_transcript.failed_at is None
    assert failed_transcript.last_error == "" and failed_transcript.attempts == 1
    (received,) = smtp_mailer.received
    assert received["Message-ID"].strip() == message_id  # the same e-mail, should an earlier try have arrived after all


@pytest.mark.django_db
def test_send_again_leaves_sent_transcripts_alone(ticket, person, attendant_client, mailoutbox, inline_tasks):
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    send_transcript.apply(args=[ticket.pk])
    outbox = TranscriptOutbox.objects.get(ticket=ticket)

    response = attendant_client.post(CHANGELIST, {"action": "resend", "_selected_action": [outbox.pk]}, follow=True)

    assert "Nenhum dos e-mails selecionados estava pendente" in response.content.decode()
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_outbox_rows_cannot_be_added_or_deleted_in_the_admin(failed_transcript, admin_client):
    assert admin_client.get(reverse("admin:tickets_transcriptoutbox_add")).status_code == 403
    url = reverse("admin:tickets_transcriptoutbox_delete", args=[failed_transcript.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert TranscriptOutbox.objects.filter(pk=failed_transcript.pk).exists()
