"""Issue 14: an internal note never reaches the requester's transcript e-mail (through the loopback SMTP server)."""

import pytest

from tickets import services
from tickets.models import Status, Ticket
from tickets.tasks import send_transcript

NOTE = "Nota interna: cliente pediu desconto, não prometer nada."


@pytest.mark.django_db
def test_the_transcript_sent_over_smtp_has_the_dialog_and_never_a_note(conversation, attendant, smtp_mailer):
    ticket = conversation(conclude=False)
    services.ticket_note_create(ticket=ticket, user=attendant, body=NOTE)
    services.ticket_status_change(ticket=Ticket.objects.get(pk=ticket.pk), attendant=attendant, status=Status.CONCLUIDO)

    assert send_transcript.apply(args=[ticket.pk]).get() == "sent"

    (sent,) = smtp_mailer.received
    bodies = [
        part.get_content()
        for part in sent.walk()
        if part.get_content_type() in ("text/plain", "text/html") and part.get_content_disposition() != "attachment"
    ]
    assert len(bodies) >= 2
    for body in bodies:
        assert "Reenvie a nota, por favor." in body
        assert NOTE not in body and "Nota interna" not in body
