"""Celery tasks of routing: thin, ids as arguments, idempotent (each checks the rows again)."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from tickets.tasks import TRANSIENT_ERRORS, retry_countdown

logger = logging.getLogger(__name__)


@shared_task(name="routing.offer_expire", acks_late=True)
def offer_expire(offer_ids: int | list[int]) -> bool:
    """Queued with the offers' countdown; does nothing for an offer answered meanwhile."""
    from .services import offer_expire as expire

    return expire(offer_id=offer_ids)


@shared_task(name="routing.dispatch")
def dispatch() -> int:
    from .services import routing_dispatch

    return len(routing_dispatch())


@shared_task(
    bind=True,
    name="routing.send_reply_notice",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
)
def send_reply_notice(self, ticket_id: int, reply_id: int) -> str:
    from .notices import reply_notice_record_error, reply_notice_send

    try:
        return reply_notice_send(ticket_id=ticket_id, reply_id=reply_id)
    except TRANSIENT_ERRORS as error:
        reply_notice_record_error(ticket_id=ticket_id, error=error)
        if self.request.retries >= settings.TRANSCRIPT_MAX_RETRIES or self.app.conf.task_always_eager:
            logger.error("Reply notice of ticket %s not sent, giving up: %r", ticket_id, error)
            return "failed"
        raise self.retry(exc=error, countdown=retry_countdown(self.request.retries)) from error


def reply_notice_queue(ticket_id: int, reply_id: int, *, countdown: int = 0, by: str = "reply") -> None:
    """Queue the notice of an unread reply (the outbox row makes any duplicate that slips through harmless).

    A reply queues one task per ticket while one is pending: the replies that follow it within the
    countdown would only find the notice sent (one per period); one read meanwhile while a later one
    is not is left to the sweep. The sweep has a key of its own per reply, renewed every few minutes.
    """
    if by == "reply":
        key, timeout = f"routing:notice:reply:{ticket_id}", max(countdown, 1)
    else:
        key, timeout = f"routing:notice:{by}:{ticket_id}:{reply_id}", 300
    try:
        if not cache.add(key, 1, timeout=timeout):
            return
    except Exception:
        logger.warning("Notice marker not set; queuing anyway", exc_info=True)
    send_reply_notice.apply_async((ticket_id, reply_id), countdown=countdown)


@shared_task(name="routing.sweep")
def sweep() -> dict[str, int]:
    """The beat's backstop: idle attendants away, offers past their time, a dispatch, overdue tickets,
    replies left unread."""
    from .notices import reply_notice_candidates
    from .services import attendants_idle_away, offers_withdraw_stale, overdue_alert_sweep, routing_dispatch

    away = attendants_idle_away()
    offers_withdraw_stale()
    offers = routing_dispatch()
    overdue = overdue_alert_sweep()
    queued = 0
    for ticket_id, reply_id in reply_notice_candidates():
        reply_notice_queue(ticket_id, reply_id, by="sweep")
        queued += 1
    return {"offers": len(offers), "overdue": len(overdue), "notices": queued, "away": len(away)}
