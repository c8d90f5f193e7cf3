"""Every allowed type, made here, goes through the real services and is stored as checked."""

import hashlib
import io

import pytest
from PIL import Image

from attachments import formats
from attachments.models import Attachment
from tickets import services
from tickets.models import Message

from . import samples
from .conftest import stored_paths

ACCEPTED = [
    ("foto.png", samples.png, "image/png"),
    ("foto.jpg", samples.jpeg, "image/jpeg"),
    ("FOTO.JPEG", samples.jpeg, "image/jpeg"),
    ("nota.pdf", samples.pdf, "application/pdf"),
    ("Nota.PDF", samples.pdf, "application/pdf"),
    ("video.mp4", samples.mp4, "video/mp4"),
    ("extrato-sgml.ofx", lambda: samples.OFX_SGML, "application/x-ofx"),
    ("extrato-xml.ofx", lambda: samples.OFX_XML, "application/x-ofx"),
    ("leia-me.txt", lambda: samples.TXT_UTF8, "text/plain; charset=utf-8"),
    ("latin1.txt", lambda: samples.TXT_LATIN1, "text/plain; charset=windows-1252"),
    ("bloco-de-notas.TXT", lambda: "Olá, relatório\r\n".encode("utf-16"), "text/plain; charset=utf-16"),
    ("limite.txt", lambda: b"a" * (2 * 1024 * 1024), "text/plain; charset=utf-8"),
]


def test_the_test_mp4_is_recognised_by_libmagic():
    assert formats.detect(samples.mp4()) == "video/mp4"
    assert formats.mp4_boxes_complete(samples.mp4())


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "make", "content_type"), ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_allowed_file_is_stored_privately_with_its_detected_type(
    person, open_ticket, media_root, name, make, content_type
):
    ticket = open_ticket(person, files=[samples.upload(name, make())])

    files_message = ticket.messages.get(kind=Message.Kind.FILES)
    assert files_message.body == "O usuário adicionou anexos ao atendimento."
    (attachment,) = Attachment.objects.all()
    assert attachment.message == files_message
    assert attachment.original_name == name
    assert attachment.content_type == content_type
    assert attachment.uploaded_by == person.user
    (path,) = stored_paths(media_root)
    assert path == media_root / attachment.file.name
    assert path.parent.parent == media_root / "attachments"
    assert name.rsplit(".", 1)[0].lower() not in path.name.lower()
    stored = path.read_bytes()
    assert attachment.size == len(stored)
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()


@pytest.mark.django_db
def test_non_image_files_are_kept_byte_for_byte(person, open_ticket, media_root):
    open_ticket(person, files=[samples.upload("nota.pdf", samples.pdf()), samples.upload("e.ofx", samples.OFX_SGML)])
    kept = {attachment.original_name: attachment.file.read() for attachment in Attachment.objects.all()}
    assert kept == {"nota.pdf": samples.pdf(), "e.ofx": samples.OFX_SGML}


@pytest.mark.django_db
def test_several_files_at_once_and_during_the_conversation_both_ways(person, attendant, ticket):
    sent = services.ticket_message_create(
        ticket=ticket,
        user=person.user,
        body="",
        files=[samples.upload("a.png", samples.png()), samples.upload("b.txt", samples.TXT_UTF8)],
    )
    (requester_files,) = sent
    assert requester_files.body == "O usuário enviou um arquivo."
    assert [a.original_name for a in requester_files.attachments.all()] == ["a.png", "b.txt"]

    body, attendant_files = services.ticket_message_create(
        ticket=ticket, user=attendant, body="Segue a nota.", files=[samples.upload("nota.pdf", samples.pdf())]
    )
    assert body.body == "Segue a nota." and not body.attachments.exists()
    assert attendant_files.body == "O atendente enviou um arquivo"
    assert attendant_files.attachments.get().uploaded_by == attendant


@pytest.mark.django_db
def test_jpeg_loses_exif_and_gps_but_keeps_its_orientation(person, open_ticket):
    """Threat: a photo taken on the street carries the sender's GPS position and device to whoever downloads it."""
    original = samples.jpeg(size=(8, 6), exif=samples.exif_with_gps())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the sample really has GPS

    open_ticket(person, files=[samples.upload("rua.jpg", original)])

    stored = Attachment.objects.get().file.read()
    assert b"Exif" not in stored and b"CameraDeTeste" not in stored
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif()
    assert image.size == (6, 8)  # orientation 6 applied before the tag was dropped


@pytest.mark.django_db
def test_png_polyglot_loses_its_html_payload(person, open_ticket):
    """Threat: a valid PNG whose text chunk holds HTML/JS is served and sniffed as a page (PNG/HTML polyglot)."""
    original = samples.png_with_text("Comment", "<html><script>alert(document.cookie)</script></html>")
    assert b"<script>" in original

    open_ticket(person, files=[samples.upload("imagem.png", original)])

    stored = Attachment.objects.get().file.read()
    assert b"<script>" not in stored and b"tEXt" not in stored
    assert Image.open(io.BytesIO(stored)).size == (8, 6)


@pytest.mark.django_db
def test_archive_appended_to_a_jpeg_is_dropped(person, open_ticket):
    """Threat: a JPEG with a ZIP appended (a JAR/ZIP polyglot) passes as an image and carries a program along."""
    original = samples.jpeg() + samples.zip_archive()
    open_ticket(person, files=[samples.upload("foto.jpg", original)])
    stored = Attachment.objects.get().file.read()
    assert b"PK\x03\x04" not in stored
    assert Image.open(io.BytesIO(stored)).format == "JPEG"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../relatorio.pdf", "relatorio.pdf"),
        ("..\\..\\Windows\\relatorio.pdf", "relatorio.pdf"),
        ("C:\\Users\\ana\\Documents\\nota.pdf", "nota.pdf"),
        ("nota\x00.pdf", "nota.pdf"),
        ("nota\x1b[31m\x07.pdf", "nota[31m.pdf"),
        ("nota\u00a0fiscal\t\tjaneiro .pdf", "nota fiscal janeiro .pdf"),
        ("nota.pdf. . .", "nota.pdf"),
        ("relato\u0301rio.pdf", "relatório.pdf"),
        ("relatório_ação_日本語_кириллица_العربية.pdf", "relatório_ação_日本語_кириллица_العربية.pdf"),
        ("NF 123.456.pdf", "NF 123.456.pdf"),
        ("Prefeitura.Municipal.2017.pdf", "Prefeitura.Municipal.2017.pdf"),
        ("v1.2.pdf", "v1.2.pdf"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
        ("ç" * 200 + ".pdf", "ç" * 116 + ".pdf"),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_file_name_is_sanitised_for_display_and_stored_under_a_random_name(
    person, open_ticket, media_root, given, kept
):
    """Threat: a crafted name (path parts, NUL, control or bidi characters, huge length) escapes the storage
    folder, hides the real extension or breaks the page and the download header."""
    open_ticket(person, files=[samples.NamedUpload(given, samples.pdf())])
    attachment = Attachment.objects.get()
    assert attachment.original_name == kept
    (path,) = stored_paths(media_root)
    assert path.is_relative_to(media_root / "attachments")
    assert "relatorio" not in str(path) and "nota" not in str(path)
