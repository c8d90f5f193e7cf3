"""What each allowed extension must contain, detected by content (libmagic through python-magic).

- Never allowed, whatever the name: executables, archives, HTML, SVG, scripts (libmagic's type,
  a "#!" first line, or HTML tags anywhere in a text file).
- PDF: libmagic says application/pdf. Kept as sent; served only as a download, sandboxed.
- MP4: libmagic says video/mp4 and the top-level boxes (ftyp first) chain exactly to the end of the
  file, so a truncated video or one with something appended is refused.
- PNG, JPEG/JPG: opened by Pillow restricted to that one format, at most ATTACHMENT_MAX_PIXELS
  (well under Pillow's default), fully decoded (truncated or corrupt files refused), then re-encoded
  from the pixels alone: EXIF/GPS, text chunks, ICC profiles and anything appended (polyglots) are gone.
  The EXIF orientation is applied first so photos keep their orientation.
- TXT: text in UTF-8 (BOM or not), UTF-16 with BOM, or Windows-1252/Latin-1, with no binary control
  characters, and libmagic calls it text (not XML).
- OFX: text as above, and either OFX 1.x (SGML): the first line is the header "OFXHEADER:100", or
  OFX 2.x (XML): an optional <?xml ...?> declaration then the processing instruction
  <?OFX OFXHEADER="200" ...?>; in both cases an <OFX> element follows.
"""

import codecs
import io
import re

import magic
from django.conf import settings
from django.utils.translation import gettext
from PIL import Image, ImageOps

from . import errors
from .errors import AttachmentRejected

EXECUTABLE_TYPES = {
    "application/x-executable",
    "application/x-pie-executable",
    "application/x-sharedlib",
    "application/x-object",
    "application/x-coredump",
    "application/x-dosexec",
    "application/x-msdownload",
    "application/vnd.microsoft.portable-executable",
    "application/x-mach-binary",
    "application/x-java-applet",
    "application/java-vm",
    "application/x-elf",
    "application/x-msi",
    "application/x-ms-installer",
}
ARCHIVE_TYPES = {
    "application/zip",
    "application/x-zip-compressed",
    "application/java-archive",
    "application/x-rar",
    "application/vnd.rar",
    "application/x-rar-compressed",
    "application/x-7z-compressed",
    "application/gzip",
    "application/x-gzip",
    "application/x-bzip2",
    "application/x-xz",
    "application/x-lzma",
    "application/x-lzip",
    "application/zstd",
    "application/x-tar",
    "application/x-cpio",
    "application/x-archive",
    "application/x-iso9660-image",
    "application/vnd.ms-cab-compressed",
    "application/x-compress",
    "application/x-arj",
    "application/x-lha",
    "application/x-ace-compressed",
}
HTML_TYPES = {"text/html", "application/xhtml+xml"}
SVG_TYPES = {"image/svg+xml"}
SCRIPT_TYPES = {
    "text/x-shellscript",
    "application/x-sh",
    "text/x-script.python",
    "text/x-python",
    "text/x-perl",
    "text/x-php",
    "application/x-php",
    "application/x-httpd-php",
    "text/x-ruby",
    "text/x-lua",
    "text/x-tcl",
    "text/x-awk",
    "text/x-msdos-batch",
    "text/x-powershell",
    "application/javascript",
    "text/javascript",
    "application/x-javascript",
}
XML_TYPES = {"text/xml", "application/xml"}

# Tags a browser would run or render, found anywhere in a text file (libmagic looks at the start only).
HTML_TAGS = re.compile(rb"<\s*(?:script|html|body|head|svg|iframe|object|embed|img|meta|link)\b|<!doctype\s+html", re.I)
# C0 controls and DEL never appear in text; tab, line feed, vertical tab, form feed, carriage return
# and SUB (the old DOS end-of-file mark) do.
BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")
OFX_SGML = re.compile(r"\AOFXHEADER\s*:\s*100\s*$", re.M)
OFX_XML = re.compile(r'\A(?:<\?xml\b[^>]*\?>\s*)?<\?OFX\s[^>]*\bOFXHEADER\s*=\s*"200"[^>]*\?>', re.I)
OFX_ELEMENT = re.compile(r"<OFX>", re.I)

PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}
JPEG_MODES = {"L", "RGB", "CMYK"}


def detect(content: bytes) -> str:
    """libmagic's MIME type for the content."""
    return magic.from_buffer(content, mime=True)


def forbidden_kind(content: bytes, detected: str) -> str | None:
    """What the content is, when it is something refused whatever its name."""
    if detected in EXECUTABLE_TYPES:
        return errors.KIND_EXECUTABLE
    if detected in ARCHIVE_TYPES:
        return errors.KIND_ARCHIVE
    if detected in SVG_TYPES:
        return errors.KIND_SVG
    if detected in HTML_TYPES:
        return errors.KIND_HTML
    if detected in SCRIPT_TYPES or content.removeprefix(codecs.BOM_UTF8).startswith(b"#!"):
        return errors.KIND_SCRIPT
    return None


class PixelBudget:
    """The pixels one request may still decode, all its images together (ATTACHMENT_MAX_PIXELS_PER_REQUEST)."""

    def __init__(self, pixels: int) -> None:
        self.limit = pixels
        self.remaining = pixels

    def take(self, pixels: int, *, name: str) -> None:
        if pixels > self.remaining:
            raise AttachmentRejected(
                errors.IMAGES_TOO_MANY_PIXELS.format(name=name, megapixels=self.limit // 1_000_000)
            )
        self.remaining -= pixels


def content_check(content: bytes, *, extension: str, name: str, budget: PixelBudget | None = None) -> tuple[bytes, str]:
    """The bytes to keep and their content type, or AttachmentRejected with the reason."""
    detected = detect(content)
    kind = forbidden_kind(content, detected)
    if kind:
        raise AttachmentRejected(gettext(errors.CONTENT_FORBIDDEN).format(name=name, kind=gettext(kind)))
    mismatch = AttachmentRejected(gettext(errors.CONTENT_MISMATCH).format(name=name, ext=extension))
    if extension in ("jpg", "jpeg"):
        if detected != "image/jpeg":
            raise mismatch
        return image_reencode(content, image_format="JPEG", name=name, budget=budget), "image/jpeg"
    if extension == "png":
        if detected != "image/png":
            raise mismatch
        return image_reencode(content, image_format="PNG", name=name, budget=budget), "image/png"
    if extension == "pdf":
        if detected != "application/pdf":
            raise mismatch
        return content, "application/pdf"
    if extension == "mp4":
        if detected != "video/mp4":
            raise mismatch
        if not mp4_boxes_complete(content):
            raise AttachmentRejected(gettext(errors.VIDEO_DAMAGED).format(name=name))
        return content, "video/mp4"
    # txt and ofx: text files.
    decoded = text_decode(content)
    if decoded is None or (not detected.startswith("text/") and detected not in XML_TYPES):
        raise mismatch
    text, charset = decoded
    if HTML_TAGS.search(text.encode("utf-8", "replace")):
        raise AttachmentRejected(gettext(errors.CONTENT_FORBIDDEN).format(name=name, kind=gettext(errors.KIND_HTML)))
    if extension == "ofx":
        if not ofx_is_valid(text):
            raise AttachmentRejected(gettext(errors.NOT_OFX).format(name=name))
        return content, "application/x-ofx"
    if detected in XML_TYPES:
        raise mismatch
    return content, f"text/plain; charset={charset}"


def text_decode(content: bytes) -> tuple[str, str] | None:
    """The text and its charset, or None when the bytes are not text."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8-sig", "windows-1252", "latin-1"]
    for charset in candidates:
        try:
            text = content.decode(charset)
        except UnicodeDecodeError:
            continue
        if BINARY_CONTROLS.search(text):
            return None
        return text, "utf-8" if charset == "utf-8-sig" else charset
    return None


def ofx_is_valid(text: str) -> bool:
    text = text.lstrip("\ufeff \t\r\n")
    header = OFX_SGML.match(text) or OFX_XML.match(text)
    return bool(header) and bool(OFX_ELEMENT.search(text, header.end()))


def mp4_boxes_complete(content: bytes) -> bool:
    """Top-level ISO BMFF boxes: "ftyp" first, each whole, the last ending at the end of the file."""
    position, end, first = 0, len(content), True
    while position < end:
        if end - position < 8:
            return False
        size = int.from_bytes(content[position : position + 4], "big")
        box_type = content[position + 4 : position + 8]
        header = 8
        if size == 1:  # 64-bit size follows the type
            if end - position < 16:
                return False
            size = int.from_bytes(content[position + 8 : position + 16], "big")
            header = 16
        elif size == 0:  # the box runs to the end of the file
            size = end - position
        if size < header or position + size > end or not all(0x20 <= c < 0x7F for c in box_type):
            return False
        if first and box_type != b"ftyp":
            return False
        first = False
        position += size
    return not first


def image_reencode(content: bytes, *, image_format: str, name: str, budget: PixelBudget | None = None) -> bytes:
    """Decode the image fully with Pillow (that format only, bounded pixels), return it re-encoded.

    Image.open is lazy: it reads the header (the size) and decodes nothing. The size is checked
    against the per-image limit and the request's budget before verify() and load() touch the data.
    """
    max_pixels = settings.ATTACHMENT_MAX_PIXELS
    too_large = AttachmentRejected(
        gettext(errors.IMAGE_TOO_LARGE).format(name=name, megapixels=max_pixels // 1_000_000)
    )
    try:
        # The size is in the header: refuse a decompression bomb before a single pixel is decoded.
        with Image.open(io.BytesIO(content), formats=[image_format]) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise too_large
            if budget is not None:
                budget.take(width * height, name=name)
            image.verify()
        with Image.open(io.BytesIO(content), formats=[image_format]) as image:
            image.load()
            return _encode(image, image_format)
    except Image.DecompressionBombError:
        raise too_large from None
    except AttachmentRejected:
        raise
    except Exception:
        # Pillow's decoders answer hostile input with many kinds of errors (OSError, SyntaxError,
        # ValueError, struct.error, ...); all of them mean the image cannot be trusted.
        raise AttachmentRejected(gettext(errors.IMAGE_DAMAGED).format(name=name)) from None


def _encode(image: Image.Image, image_format: str) -> bytes:
    transparency = image.info.get("transparency")
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:
        # A broken EXIF block only costs the orientation: the pixels were decoded fine.
        image = image.copy()
    # Only the pixels (and PNG transparency) go on: EXIF, GPS, XMP, ICC, comments and text chunks stay behind.
    image.info = {}
    options: dict[str, object] = {}
    if image_format == "PNG":
        if image.mode not in PNG_MODES:
            image = image.convert("RGBA")
        elif transparency is not None:
            options["transparency"] = transparency
    else:
        if image.mode not in JPEG_MODES:
            image = image.convert("RGB")
        options["quality"] = 90
    out = io.BytesIO()
    image.save(out, format=image_format, **options)
    return out.getvalue()
