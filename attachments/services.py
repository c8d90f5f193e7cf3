"""Writes of attachments: clean every file first, store them inside the caller's transaction.

Files written to storage are removed again when the transaction around them fails,
so a refused or rolled-back message leaves no orphan file behind.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext

from .errors import TOO_MANY_FILES, AttachmentRejected
from .formats import PixelBudget
from .models import Attachment
from .validators import CleanFile, validate_upload


def attachments_clean(*, files: Sequence) -> list[CleanFile]:
    """Check every file before anything is written; the first refusal stops all."""
    files = list(files or [])
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise AttachmentRejected(gettext(TOO_MANY_FILES).format(limit=settings.ATTACHMENT_MAX_FILES))
    # One budget for the whole request: ten 40-megapixel photos would mean gigabytes of pixels.
    budget = PixelBudget(settings.ATTACHMENT_MAX_PIXELS_PER_REQUEST)
    return [validate_upload(upload, budget=budget) for upload in files]


def attachments_store(*, message, files: Sequence[CleanFile], user, stored: list[Attachment]) -> list[Attachment]:
    """Store the files of `message`; each is added to `stored` as soon as its file exists."""
    created = []
    for clean in files:
        attachment = Attachment(
            message=message,
            original_name=clean.name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            uploaded_by=user,
        )
        attachment.file.save("upload", ContentFile(clean.content), save=False)
        stored.append(attachment)
        attachment.save()
        created.append(attachment)
    return created


@contextmanager
def stored_files_cleanup() -> Iterator[list[Attachment]]:
    """Collect the attachments stored in the block; delete their files if the block fails."""
    stored: list[Attachment] = []
    try:
        yield stored
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
