"""Bad files, made here, are refused by the real services with their own message, and nothing is stored:
no ticket or message row, no Attachment row, no file under MEDIA_ROOT.

Threat: an upload is the way in for malware, phishing pages and XSS (HTML/SVG/scripts served from our
origin), for resource exhaustion (huge files, decompression bombs) and for tricks with names that hide
the real type. Each case below is one of those, and each must be told apart by content, not by name.
"""

import functools
import gzip

import pytest

from attachments import errors
from attachments.models import Attachment
from tickets import services
from tickets.models import Message, Ticket

from . import samples
from .conftest import stored_paths

MB = 1024 * 1024
ALLOWED = "JPEG, JPG, MP4, OFX, PDF, PNG, TXT"


def too_big(name):
    return errors.TOO_BIG.format(name=name)


def not_allowed(name):
    return errors.TYPE_NOT_ALLOWED.format(name=name)


def double(name):
    return errors.DOUBLE_EXTENSION.format(name=name)


def forbidden(name, kind):
    return errors.CONTENT_FORBIDDEN.format(name=name, kind=kind)


def mismatch(name, ext):
    return errors.CONTENT_MISMATCH.format(name=name, ext=ext)


def damaged(name):
    return errors.IMAGE_DAMAGED.format(name=name)


def bomb(name):
    return errors.IMAGE_TOO_LARGE.format(name=name, megapixels=40)


@functools.cache
def corrupt_png() -> bytes:
    content = bytearray(samples.png(size=(40, 40)))
    content[content.index(b"IDAT") + 10] ^= 0xFF  # the CRC no longer matches
    return bytes(content)


def mp4_truncated() -> bytes:
    return samples.mp4()[:-10]


def quicktime() -> bytes:
    return samples.box(b"ftyp", b"qt  \x00\x00\x00\x00qt  ") + samples.box(b"mdat", bytes(16))


# (id, name given, content, expected message)
BAD_FILES = [
    ("over 2MB pdf", "grande.pdf", lambda: samples.pdf() + b"%" * (2 * MB), lambda: too_big("grande.pdf")),
    ("over 2MB by one byte txt", "grande.txt", lambda: b"a" * (2 * MB + 1), lambda: too_big("grande.txt")),
    ("empty txt", "vazio.txt", lambda: b"", lambda: errors.EMPTY.format(name="vazio.txt")),
    ("empty png", "vazio.png", lambda: b"", lambda: errors.EMPTY.format(name="vazio.png")),
    ("ELF renamed .pdf", "nota.pdf", samples.elf, lambda: forbidden("nota.pdf", errors.KIND_EXECUTABLE)),
    ("PE renamed .pdf", "boleto.pdf", samples.pe, lambda: forbidden("boleto.pdf", errors.KIND_EXECUTABLE)),
    ("PE renamed .jpg", "foto.jpg", samples.pe, lambda: forbidden("foto.jpg", errors.KIND_EXECUTABLE)),
    ("ELF renamed .txt", "leia.txt", samples.elf, lambda: forbidden("leia.txt", errors.KIND_EXECUTABLE)),
    ("HTML renamed .txt", "pagina.txt", lambda: samples.HTML, lambda: forbidden("pagina.txt", errors.KIND_HTML)),
    ("HTML renamed .png", "pagina.png", lambda: samples.HTML, lambda: forbidden("pagina.png", errors.KIND_HTML)),
    ("SVG renamed .png", "desenho.png", lambda: samples.SVG, lambda: forbidden("desenho.png", errors.KIND_SVG)),
    ("SVG renamed .txt", "desenho.txt", lambda: samples.SVG, lambda: forbidden("desenho.txt", errors.KIND_SVG)),
    (
        "script tag deep inside a text",
        "log.txt",
        lambda: samples.TXT_UTF8 * 100 + b"<script>alert(1)</script>",
        lambda: forbidden("log.txt", errors.KIND_HTML),
    ),
    ("shell script .txt", "run.txt", lambda: samples.SHELL, lambda: forbidden("run.txt", errors.KIND_SCRIPT)),
    (
        "PHP renamed .jpg",
        "shell.jpg",
        lambda: b"<?php system($_GET['c']); ?>\n",
        lambda: forbidden("shell.jpg", errors.KIND_SCRIPT),
    ),
    ("zip renamed .png", "fotos.png", samples.zip_archive, lambda: forbidden("fotos.png", errors.KIND_ARCHIVE)),
    ("zip renamed .ofx", "extrato.ofx", samples.zip_archive, lambda: forbidden("extrato.ofx", errors.KIND_ARCHIVE)),
    (
        "gzip renamed .pdf",
        "nota.pdf",
        lambda: gzip.compress(b"x" * 100),
        lambda: forbidden("nota.pdf", errors.KIND_ARCHIVE),
    ),
    ("truncated PNG", "cortada.png", lambda: samples.png(size=(40, 40))[:-40], lambda: damaged("cortada.png")),
    ("PNG with bad CRC", "corrompida.png", corrupt_png, lambda: damaged("corrompida.png")),
    ("truncated JPEG", "cortada.jpg", lambda: samples.jpeg(size=(64, 64))[:200], lambda: damaged("cortada.jpg")),
    (
        "bomb PNG under Pillow's default",
        "bomba.png",
        functools.cache(lambda: samples.png_bomb(9000, 9000)),
        lambda: bomb("bomba.png"),
    ),
    (
        "bomb PNG over Pillow's limit",
        "bomba2.png",
        functools.cache(lambda: samples.png_bomb(20000, 20000)),
        lambda: bomb("bomba2.png"),
    ),
    ("x.pdf.exe", "x.pdf.exe", samples.pdf, lambda: not_allowed("x.pdf.exe")),
    ("x.exe.pdf executable", "x.exe.pdf", samples.elf, lambda: double("x.exe.pdf")),
    ("x.exe.pdf with a real pdf", "x.exe.pdf", samples.pdf, lambda: double("x.exe.pdf")),
    ("two allowed extensions", "foto.jpg.png", samples.png, lambda: double("foto.jpg.png")),
    ("NUL hides .exe", "nota.exe\x00.pdf", samples.elf, lambda: double("nota.exe.pdf")),
    ("NUL before .exe", "nota.pdf\x00.exe", samples.pdf, lambda: not_allowed("nota.pdf.exe")),
    ("path traversal, no extension", "../../../etc/passwd", lambda: b"root:x:0:0\n", lambda: not_allowed("passwd")),
    ("path traversal to .exe", "..\\..\\Windows\\System32\\calc.exe", samples.pe, lambda: not_allowed("calc.exe")),
    (
        "path traversal with PHP as .pdf",
        "../../../var/www/html/shell.pdf",
        lambda: b"<?php system($_GET['c']); ?>\n",
        lambda: forbidden("shell.pdf", errors.KIND_SCRIPT),
    ),
    ("bidi override hides .exe", "foto\u202egpj.exe", samples.pe, lambda: not_allowed("fotogpj.exe")),
    ("no extension", "LEIAME", lambda: samples.TXT_UTF8, lambda: not_allowed("LEIAME")),
    ("extension only", ".pdf", samples.pdf, lambda: errors.NAME_INCOMPLETE.format(name=".pdf")),
    ("no name at all", "", samples.pdf, lambda: errors.NAME_MISSING),
    ("office file", "planilha.xlsx", samples.zip_archive, lambda: not_allowed("planilha.xlsx")),
    ("PDF renamed .png", "nota.png", samples.pdf, lambda: mismatch("nota.png", "png")),
    ("PNG renamed .jpg", "foto.jpg", samples.png, lambda: mismatch("foto.jpg", "jpg")),
    ("JPEG renamed .mp4", "video.mp4", samples.jpeg, lambda: mismatch("video.mp4", "mp4")),
    ("QuickTime as .mp4", "video.mp4", quicktime, lambda: mismatch("video.mp4", "mp4")),
    ("truncated MP4", "video.mp4", mp4_truncated, lambda: errors.VIDEO_DAMAGED.format(name="video.mp4")),
    (
        "MP4 with a zip appended",
        "video.mp4",
        lambda: samples.mp4() + samples.zip_archive(),
        lambda: errors.VIDEO_DAMAGED.format(name="video.mp4"),
    ),
    (
        "OFX without header",
        "extrato.ofx",
        lambda: b"<OFX><BANKMSGSRSV1></BANKMSGSRSV1></OFX>\n",
        lambda: errors.NOT_OFX.format(name="extrato.ofx"),
    ),
    ("binary renamed .ofx", "extrato.ofx", samples.png, lambda: mismatch("extrato.ofx", "ofx")),
    ("binary renamed .txt", "dados.txt", lambda: bytes(range(256)) * 4, lambda: mismatch("dados.txt", "txt")),
    (
        "XML renamed .txt",
        "nfe.txt",
        lambda: b'<?xml version="1.0"?>\n<nfeProc><NFe/></nfeProc>\n',
        lambda: mismatch("nfe.txt", "txt"),
    ),
]


@pytest.fixture(params=["ticket_open", "ticket_message_create"])
def send(request, person, open_ticket):
    """Send files the two ways a requester can: when opening a ticket, or in its conversation."""
    if request.param == "ticket_open":
        return lambda files: open_ticket(person, files=files)
    ticket = open_ticket(person)
    return lambda files: services.ticket_message_create(ticket=ticket, user=person.user, body="Segue.", files=files)


def assert_nothing_stored(media_root, tickets_before, messages_before):
    assert Attachment.objects.count() == 0
    assert stored_paths(media_root) == []
    assert Ticket.objects.count() == tickets_before
    assert Message.objects.count() == messages_before


def test_at_least_thirty_kinds_of_bad_file_are_covered():
    assert len(BAD_FILES) >= 30


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "make", "message"), [case[1:] for case in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_refused_with_its_message_and_nothing_is_stored(send, media_root, name, make, message):
    tickets_before, messages_before = Ticket.objects.count(), Message.objects.count()
    # A good file next to the bad one: the refusal takes the whole sending, nothing half-kept.
    files = [samples.upload("boa.png", samples.png()), samples.NamedUpload(name, make())]

    with pytest.raises(errors.AttachmentRejected) as refusal:
        send(files)

    assert refusal.value.message == message()
    assert_nothing_stored(media_root, tickets_before, messages_before)


@pytest.mark.django_db
def test_more_files_than_allowed_are_refused_before_any_is_read(send, media_root, settings):
    tickets_before, messages_before = Ticket.objects.count(), Message.objects.count()
    files = [samples.upload(f"f{i}.png", samples.png()) for i in range(settings.ATTACHMENT_MAX_FILES + 1)]

    with pytest.raises(errors.AttachmentRejected) as refusal:
        send(files)

    assert refusal.value.message == "Envie no máximo 10 arquivos por vez."
    assert_nothing_stored(media_root, tickets_before, messages_before)


@pytest.mark.django_db
def test_messages_name_the_file_in_portuguese():
    assert errors.TOO_BIG.format(name="a.pdf") == "\u201ca.pdf\u201d: o arquivo excede 2MB, o tamanho máximo permitido."
    assert ALLOWED in errors.TYPE_NOT_ALLOWED
