"""The development mail backend: e-mails written as files readable by their owner only.

Django's file backend opens its file with the process umask (usually 0644): on a shared machine anybody
could read the transcripts and verification links under var/mail/. Here the folder is 0700 and each file
is created 0600 from the start (os.open with a mode, no window between creating and restricting it).
"""

import os

from django.core.mail.backends.filebased import EmailBackend

FILE_MODE = 0o600
FOLDER_MODE = 0o700


class PrivateFileEmailBackend(EmailBackend):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        os.chmod(self.file_path, FOLDER_MODE)

    def open(self) -> bool:
        if self.stream is None:
            descriptor = os.open(self._get_filename(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
            self.stream = os.fdopen(descriptor, "ab")
            return True
        return False
