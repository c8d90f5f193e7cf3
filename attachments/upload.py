"""An upload handler that stops keeping a file past the size limit instead of taking it whole.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE and FILE_UPLOAD_MAX_MEMORY_SIZE do not limit the size of a
file: the memory handler only decides between RAM and a temporary file. This handler runs first
(settings.FILE_UPLOAD_HANDLERS) and:

- refuses a multipart body larger than ATTACHMENT_REQUEST_MAX_BYTES before parsing it, and again
  while counting if the body turns out longer than announced (RequestDataTooBig: a 400, logged);
- passes the chunks of a file on to the memory/temporary-file handlers up to ATTACHMENT_MAX_BYTES.
  Past it, the rest of that file is read off the wire and dropped, the partial copy the next
  handlers hold is released, and FILES gets an `OversizedUpload` in its place: no content, the
  size seen, `too_big = True`. The file is not silently lost: validate_upload turns the marker into
  "... o arquivo excede 2MB ..." naming the file, and nothing of the request is stored.
"""

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext

from .errors import REQUEST_TOO_BIG


class OversizedUpload(UploadedFile):
    """Stands in request.FILES for a file cut off at the limit."""

    too_big = True

    def __init__(self, *, name: str, size: int, content_type: str | None, charset: str | None, extra: dict | None):
        super().__init__(
            file=io.BytesIO(),
            name=name,
            content_type=content_type,
            size=size,
            charset=charset,
            content_type_extra=extra,
        )


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.file_limit = settings.ATTACHMENT_MAX_BYTES
        self.request_limit = settings.ATTACHMENT_REQUEST_MAX_BYTES
        self.request_received = 0
        self.received = 0
        self.too_big = False

    def _refuse_request(self) -> RequestDataTooBig:
        return RequestDataTooBig(gettext(REQUEST_TOO_BIG).format(limit=settings.ATTACHMENT_MAX_FILES))

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # WSGI and ASGI requests both read the body through a stream limited to Content-Length;
        # receive_data_chunk counts the bytes actually parsed as well.
        if (content_length or 0) > self.request_limit:
            raise self._refuse_request()
        return None

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.too_big = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        self.request_received += len(raw_data)
        if self.request_received > self.request_limit:
            raise self._refuse_request()
        if self.too_big:
            return None
        if self.received > self.file_limit:
            self.too_big = True
            self._release_next_handlers()
            return None
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.too_big:
            return None  # the memory or temporary-file handler returns the file
        return OversizedUpload(
            name=self.file_name,
            size=self.received,
            content_type=self.content_type,
            charset=self.charset,
            extra=self.content_type_extra,
        )

    def _release_next_handlers(self) -> None:
        """Drop the partial copy the following handlers hold (a temporary file is deleted now)."""
        handlers = list(self.request.upload_handlers) if self.request is not None else []
        if self not in handlers:
            return
        for handler in handlers[handlers.index(self) + 1 :]:
            handler.upload_interrupted()
