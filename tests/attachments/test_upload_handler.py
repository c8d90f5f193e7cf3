"""The size-limiting upload handler, driven by real multipart bodies.

How the handler is reached: the staff and admin conversation views are written in parallel, so these
tests do not post to a view of their own. They use
- RequestFactory: a real WSGIRequest with an encoded multipart body; reading request.FILES runs
  Django's MultiPartParser with the handlers of settings.FILE_UPLOAD_HANDLERS (or a chain given here);
  the files it yields go to the real services, as the views will pass them;
- django.test.Client and AsyncClient (WSGI and ASGI, the latter what daphne runs) posting multipart
  bodies to the admin login page, a view that parses request.POST and request.FILES: the request the
  client hands back shows what the parser made of the files, and an over-sized body answers 400.

Threat: a client sends a file (or a body) far larger than allowed to exhaust memory or disk, or to have
it stored before a check looks at it.
"""

import logging
import os

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import AsyncClient, Client, RequestFactory

from attachments import errors
from attachments.models import Attachment
from attachments.upload import LimitedUploadHandler, OversizedUpload
from tickets.models import Ticket

from . import samples
from .conftest import stored_paths

MB = 1024 * 1024


class RecordingTemporaryFileHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler, also noting how many bytes reached it and where it wrote them."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.path = self.file.temporary_file_path()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        return super().receive_data_chunk(raw_data, start)


def big_pdf(size: int = 3 * MB) -> bytes:
    content = samples.pdf()
    return content + b"%" * (size - len(content))


@pytest.mark.django_db
def test_oversized_file_becomes_a_marker_the_service_reports_and_nothing_is_stored(person, open_ticket, media_root):
    request = RequestFactory().post(
        "/chat/",
        {
            "reason": "Segue",
            "files": [samples.upload("grande.pdf", big_pdf()), samples.upload("ok.png", samples.png())],
        },
    )
    big, small = request.FILES.getlist("files")

    assert isinstance(big, OversizedUpload) and big.too_big
    assert big.name == "grande.pdf" and big.size > 2 * MB
    assert big.read() == b""  # nothing of it was kept
    assert not getattr(small, "too_big", False) and small.size == len(samples.png())

    with pytest.raises(errors.AttachmentRejected) as refusal:
        open_ticket(person, files=request.FILES.getlist("files"))
    assert refusal.value.message == "\u201cgrande.pdf\u201d: o arquivo excede 2MB, o tamanho máximo permitido."
    assert "excede 2MB" in refusal.value.message
    assert Ticket.objects.count() == Attachment.objects.count() == 0
    assert stored_paths(media_root) == []


@pytest.mark.django_db
def test_bytes_past_the_limit_never_reach_the_storing_handler_and_its_partial_copy_is_deleted():
    request = RequestFactory().post("/chat/", {"files": [samples.upload("grande.pdf", big_pdf(5 * MB))]})
    recorder = RecordingTemporaryFileHandler(request)
    request.upload_handlers = [LimitedUploadHandler(request), recorder]

    (marker,) = request.FILES.getlist("files")

    assert marker.too_big and marker.size == 5 * MB
    assert recorder.received <= 2 * MB
    assert not os.path.exists(recorder.path)


@pytest.mark.django_db
def test_file_of_exactly_two_megabytes_passes_the_handler_and_is_stored(person, open_ticket):
    request = RequestFactory().post("/chat/", {"files": [samples.upload("limite.txt", b"a" * (2 * MB))]})
    (upload,) = request.FILES.getlist("files")
    assert not getattr(upload, "too_big", False)

    ticket = open_ticket(person, files=[upload])

    assert Attachment.objects.get(message__ticket=ticket).size == 2 * MB


@pytest.mark.django_db
def test_whole_body_over_the_cap_is_refused_before_parsing(settings):
    settings.ATTACHMENT_REQUEST_MAX_BYTES = 256 * 1024
    request = RequestFactory().post("/chat/", {"files": [samples.upload("a.txt", b"a" * (300 * 1024))]})

    with pytest.raises(RequestDataTooBig) as refusal:
        request.FILES  # noqa: B018 - reading it runs the parser

    assert str(refusal.value) == "O envio é grande demais: envie no máximo 10 arquivos de até 2MB por vez."


@pytest.mark.django_db
def test_client_multipart_post_over_the_body_cap_answers_400(settings, caplog):
    settings.ATTACHMENT_REQUEST_MAX_BYTES = 1 * MB
    client = Client()
    small = client.post(
        "/admin/login/", {"username": "x", "password": "y", "files": [samples.upload("a.png", samples.png())]}
    )
    assert small.status_code == 200

    with caplog.at_level(logging.WARNING, logger="django.security"):
        big = client.post(
            "/admin/login/", {"username": "x", "password": "y", "files": [samples.upload("a.pdf", big_pdf(2 * MB))]}
        )

    assert big.status_code == 400
    assert "O envio é grande demais" in caplog.text


@pytest.mark.django_db
def test_client_multipart_post_marks_the_oversized_file_for_the_service(person, open_ticket, media_root):
    response = Client().post(
        "/admin/login/",
        {"username": "x", "password": "y", "files": [samples.upload("extrato.ofx", b"OFXHEADER:100\n" * (200 * 1024))]},
    )
    assert response.status_code == 200
    files = response.wsgi_request.FILES.getlist("files")
    assert [(f.name, getattr(f, "too_big", False)) for f in files] == [("extrato.ofx", True)]

    with pytest.raises(errors.AttachmentRejected) as refusal:
        open_ticket(person, files=files)
    assert refusal.value.message == errors.TOO_BIG.format(name="extrato.ofx")
    assert stored_paths(media_root) == []


@pytest.mark.django_db(transaction=True)
def test_asgi_request_gets_the_same_limits(settings):
    """Daphne serves the app through Django's ASGI handler: the same parser and handlers must apply there."""
    client = AsyncClient()

    def post():
        files = [samples.upload("grande.pdf", big_pdf())]
        return async_to_sync(client.post)("/admin/login/", {"username": "x", "password": "y", "files": files})

    response = post()
    assert response.status_code == 200
    (marker,) = response.asgi_request.FILES.getlist("files")
    assert marker.too_big and marker.name == "grande.pdf"

    settings.ATTACHMENT_REQUEST_MAX_BYTES = 1 * MB
    assert post().status_code == 400


@pytest.mark.django_db
def test_too_many_files_are_explained_by_the_service_and_cut_by_the_parser_further_on(
    person, open_ticket, settings, media_root
):
    eleven = [samples.upload(f"f{i}.png", samples.png()) for i in range(settings.ATTACHMENT_MAX_FILES + 1)]
    request = RequestFactory().post("/chat/", {"files": eleven})
    with pytest.raises(errors.AttachmentRejected) as refusal:
        open_ticket(person, files=request.FILES.getlist("files"))
    assert refusal.value.message == "Envie no máximo 10 arquivos por vez."
    assert stored_paths(media_root) == []

    many = [samples.upload(f"f{i}.png", samples.png()) for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    assert Client().post("/admin/login/", {"username": "x", "password": "y", "files": many}).status_code == 400
