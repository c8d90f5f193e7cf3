"""The attachment services' promise to tickets/services.py: check all, then store inside the caller's
transaction, and remove the stored files again when that transaction fails."""

import pytest
from django.db import transaction

from attachments.models import Attachment
from attachments.services import attachments_clean, attachments_store, stored_files_cleanup
from tickets import errors as ticket_errors
from tickets import services

from . import samples
from .conftest import stored_paths


@pytest.mark.django_db
def test_files_stored_in_a_transaction_that_fails_are_deleted(person, ticket, media_root):
    clean = attachments_clean(files=[samples.upload("a.png", samples.png()), samples.upload("b.pdf", samples.pdf())])
    message = ticket.messages.get()

    with pytest.raises(RuntimeError), stored_files_cleanup() as stored, transaction.atomic():
        attachments_store(message=message, files=clean, user=person.user, stored=stored)
        assert len(stored_paths(media_root)) == 2
        raise RuntimeError("falha depois de gravar")

    assert stored_paths(media_root) == []
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_good_files_are_not_stored_when_the_message_is_refused_for_another_reason(
    person, attendant, attendant2, ticket, media_root
):
    services.ticket_take(ticket=ticket, attendant=attendant)

    with pytest.raises(ticket_errors.NotAllowed):
        services.ticket_message_create(
            ticket=ticket, user=attendant2, body="", files=[samples.upload("a.png", samples.png())]
        )

    assert stored_paths(media_root) == [] and Attachment.objects.count() == 0


def test_cleaning_reads_and_checks_without_writing(media_root):
    (clean,) = attachments_clean(files=[samples.upload("nota.pdf", samples.pdf())])
    assert (clean.name, clean.content_type, clean.size) == ("nota.pdf", "application/pdf", len(samples.pdf()))
    assert stored_paths(media_root) == []
