"""Upload checks, by content and not by name (B6). Nothing here writes anything.

The order of the checks, each with its own message (attachments/errors.py):
size (the upload handler's marker or the size itself) -> name -> one allowed extension -> not empty
-> content never allowed (executables, archives, HTML, SVG, scripts), whatever the name
-> content matches the extension (attachments/formats.py), images re-encoded.

Names. The name a user gave is only ever shown and sent back in the download header; the file is
stored under a random name. It is sanitised: NFC, the last path part only (old browsers send
"C:\\pasta\\x.pdf"), tabs and other spaces made plain, control and format characters removed (NUL,
bidi overrides such as U+202E that make "gpj.exe" read "exe.jpg"), runs of spaces collapsed, trailing
dots and spaces dropped (Windows drops them too), capped at ATTACHMENT_NAME_MAX_LENGTH keeping the
extension. Letters of any script are kept.

One extension only. The extension is what follows the last dot. A name is refused when a part between
two inner dots has the shape of an extension: 1 to 4 letters or digits with at least one letter
("x.exe.pdf", "x.jpg.png", "a.php5.txt"). Dots in numbers and longer words are fine:
"NF 123.456.pdf", "v1.2.pdf", "Prefeitura.Municipal.pdf".
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

from . import errors, formats
from .errors import AttachmentRejected

ALLOWED_EXTENSIONS = ("jpeg", "jpg", "mp4", "ofx", "pdf", "png", "txt")
INNER_EXTENSION = re.compile(r"(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,4}")
PATH_SEPARATORS = re.compile(r"[/\\]")


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


def name_sanitize(raw: str) -> str:
    """The user's file name, safe to show and to put in a Content-Disposition header (rules above)."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = PATH_SEPARATORS.split(name)[-1]
    kept = []
    for char in name:
        if char.isspace():
            kept.append(" ")
        elif not unicodedata.category(char).startswith("C"):
            kept.append(char)
    name = " ".join("".join(kept).split()).rstrip(". ")
    limit = settings.ATTACHMENT_NAME_MAX_LENGTH
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and 0 < len(extension) <= 10:
        return stem[: limit - len(extension) - 1].rstrip(". ") + "." + extension
    return name[:limit].rstrip(". ")


def extension_check(name: str) -> str:
    """The one allowed extension of `name`, lower case; refuses the rest with its own message."""
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower()
    if not dot or extension not in ALLOWED_EXTENSIONS:
        raise AttachmentRejected(gettext(errors.TYPE_NOT_ALLOWED).format(name=name))
    if not stem.strip(". "):
        raise AttachmentRejected(gettext(errors.NAME_INCOMPLETE).format(name=name))
    if any(INNER_EXTENSION.fullmatch(part) for part in stem.split(".")[1:]):
        raise AttachmentRejected(gettext(errors.DOUBLE_EXTENSION).format(name=name))
    return extension


def _read(upload, limit: int) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    # One byte more than allowed tells an understated size apart from a file exactly at the limit.
    return upload.read(limit + 1)


def validate_upload(upload, *, budget: formats.PixelBudget | None = None) -> CleanFile:
    """Check one uploaded file; return what will be stored or raise AttachmentRejected."""
    limit = settings.ATTACHMENT_MAX_BYTES
    name = name_sanitize(getattr(upload, "name", ""))
    shown = name or "arquivo"
    # The upload handler leaves a marker, with no content, for a file it stopped reading past the limit.
    if getattr(upload, "too_big", False) or (getattr(upload, "size", 0) or 0) > limit:
        raise AttachmentRejected(gettext(errors.TOO_BIG).format(name=shown))
    if not name:
        raise AttachmentRejected(errors.NAME_MISSING)
    extension = extension_check(name)
    content = _read(upload, limit)
    if len(content) > limit:
        raise AttachmentRejected(gettext(errors.TOO_BIG).format(name=name))
    if not content:
        raise AttachmentRejected(gettext(errors.EMPTY).format(name=name))
    content, content_type = formats.content_check(content, extension=extension, name=name, budget=budget)
    return CleanFile(name=name, content=content, content_type=content_type)
