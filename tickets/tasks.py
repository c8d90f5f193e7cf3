"""Celery tasks of tickets: thin interfaces that take ids and call services.

``send_transcript`` may run more than once for a ticket (a re-delivery after a lost worker,
a retry, the sweep, the admin's "Enviar novamente"): ``transcript_send`` makes every run
after the first successful one send nothing.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

#: Worth trying again later: SMTP replies and network failures (smtplib.SMTPException is an
#: OSError, as are ConnectionError and TimeoutError), a database that went away, a hung server.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError, SoftTimeLimitExceeded)


def retry_countdown(retries: int) -> int:
    """Exponential back-off with full jitter, capped: spreads retries after an outage."""
    return get_exponential_backoff_interval(
        factor=settings.TRANSCRIPT_RETRY_BACKOFF,
        retries=retries,
        maximum=settings.TRANSCRIPT_RETRY_BACKOFF_MAX,
        full_jitter=True,
    )


@shared_task(
    bind=True,
    name="tickets.send_transcript",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # counted against settings.TRANSCRIPT_MAX_RETRIES below, read at run time
)
def send_transcript(self, ticket_id: int) -> str:
    from .transcript import transcript_error_is_permanent, transcript_record_error, transcript_send

    try:
        return transcript_send(ticket_id=ticket_id)
    except TRANSIENT_ERRORS as error:
        final = (
            self.request.retries >= settings.TRANSCRIPT_MAX_RETRIES
            or transcript_error_is_permanent(error)
            # Embedded mode runs the task inside the request: no waiting there; the admin can send again.
            or self.app.conf.task_always_eager
        )
        countdown = 0 if final else retry_countdown(self.request.retries)
        transcript_record_error(ticket_id=ticket_id, error=error, final=final, retry_in=countdown)
        if final:
            logger.error("Transcript of ticket %s not sent, giving up: %r", ticket_id, error)
            return "failed"
        logger.warning("Transcript of ticket %s not sent, retry in %ss: %r", ticket_id, countdown, error)
        raise self.retry(exc=error, countdown=countdown) from error
    except Exception as error:
        # A bug, not a passing failure: record it where the admin sees it, and let Celery log it.
        transcript_record_error(ticket_id=ticket_id, error=error, final=True)
        raise


@shared_task(name="tickets.transcript_outbox_sweep")
def transcript_outbox_sweep() -> int:
    from .transcript import transcript_outbox_requeue

    return transcript_outbox_requeue()
