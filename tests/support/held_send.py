"""Hold one send on the process that took it, so that a test can kill that process at a chosen moment.

Used only through tests/support/held_send_settings.py (a settings module of the tests, never the
product's): daphne processes started with DJANGO_SETTINGS_MODULE=tests.support.held_send_settings
and HELD_SEND_DIR=<a directory> share that directory. Once the test creates ``<dir>/armed``, the
first script send (POST with X-Requested-With) that any of the processes receives claims
``<dir>/claimed`` (created exclusively: one send only, whichever process), runs the view (the message
is saved and committed), then writes its process id in ``<dir>/holding`` and waits without answering
until ``<dir>/release`` exists, which never comes: the test kills it. A retry finds the claim taken
and goes through untouched.
"""

import os
import time
from pathlib import Path

HOLD_LIMIT = 120.0


class HoldFirstSendAfterTheView:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.dir = Path(os.environ["HELD_SEND_DIR"])

    def __call__(self, request):
        held = (
            request.method == "POST"
            and request.headers.get("X-Requested-With") == "XMLHttpRequest"
            and (self.dir / "armed").exists()
            and self._claim()
        )
        response = self.get_response(request)
        if held:
            self._hold()
        return response

    def _claim(self) -> bool:
        try:
            os.close(os.open(self.dir / "claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def _hold(self) -> None:
        partial = self.dir / f"holding.{os.getpid()}"
        partial.write_text(str(os.getpid()))
        partial.rename(self.dir / "holding")
        deadline = time.monotonic() + HOLD_LIMIT
        while not (self.dir / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
