"""The attendants' side in the admin: the queue and conversation (queue.py), the transcript outbox (outbox.py)."""

from . import outbox, queue  # noqa: F401
