"""Signals other apps may listen to; tickets itself sends them and knows nothing of the listeners."""

from django.dispatch import Signal

#: A ticket was opened or changed (status, attendant, a message, read state); sent inside the
#: service's transaction, with ``ticket``. Listeners act after the commit (transaction.on_commit).
ticket_changed = Signal()
