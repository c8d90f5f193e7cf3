"""The attendants' side in the admin: the queue and conversation (queue.py), the transcript outbox (outbox.py),
the canned replies (canned.py)."""

from . import canned, outbox, queue  # noqa: F401
