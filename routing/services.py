"""Every change of state of routing: capacity, availability, offers (made, accepted, expired, withdrawn),
the return of an absent attendant's tickets, the overdue alerts.

Each public function is one transaction; events and tasks go out after the commit. Ticket rows are
locked as in tickets.services ("Atender próximo": select_for_update with skip_locked), and an offer
is accepted through tickets.services.ticket_take, which locks the ticket: two attendants never get
the same ticket.
"""

import heapq
import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from atende_chat.errors import ApplicationError
from tickets import realtime as tickets_realtime
from tickets import services as tickets_services
from tickets.models import WAITING_STATUSES, Status, Ticket
from tickets.selectors import attendance_is_open, queue_waiting, user_is_attendant

from . import errors, realtime
from .models import CAPACITY_MAX, AttendantState, NoticePreference, Offer, OverdueAlert
from .selectors import attendant_load, overdue_cutoff

logger = logging.getLogger(__name__)


def _check_attendant(user: AbstractBaseUser) -> None:
    if not user_is_attendant(user=user):
        raise errors.RoutingNotAllowed(errors.NOT_AN_ATTENDANT)


def _state(user: AbstractBaseUser, *, lock: bool = False) -> AttendantState:
    """The attendant's row, made on first use with the installation's default capacity."""
    try:
        with transaction.atomic():
            state, _ = AttendantState.objects.get_or_create(
                user=user, defaults={"capacity": max(1, min(settings.ROUTING_DEFAULT_CAPACITY, CAPACITY_MAX))}
            )
    except IntegrityError:
        state = AttendantState.objects.get(user=user)
    if lock:
        state = AttendantState.objects.select_for_update().get(pk=state.pk)
    return state


@tickets_realtime.batched
def attendant_capacity_set(*, user: AbstractBaseUser, capacity: object) -> AttendantState:
    """Set by an administrator: a whole number from 1 to CAPACITY_MAX; anything else is refused, nothing saved."""
    if isinstance(capacity, bool):
        raise errors.CapacityInvalid(errors.CAPACITY_INVALID)
    try:
        value = int(str(capacity).strip())
    except (TypeError, ValueError):
        raise errors.CapacityInvalid(errors.CAPACITY_INVALID) from None
    if not 1 <= value <= CAPACITY_MAX:
        raise errors.CapacityInvalid(errors.CAPACITY_INVALID)
    _check_attendant(user)
    with transaction.atomic():
        state = _state(user, lock=True)
        state.capacity = value
        state.full_clean()
        state.save(update_fields=["capacity"])
        _dispatch_on_commit()
    return state


@tickets_realtime.batched
def attendant_availability_set(*, user: AbstractBaseUser, available: bool) -> AttendantState:
    """ "Disponível" or away. Going away (or logging out) withdraws the pending offers and returns the
    tickets taken but not answered yet to the queue, where they keep their original place."""
    _check_attendant(user)
    now = timezone.now()
    with transaction.atomic():
        state = _state(user, lock=True)
        if state.available != available:
            state.available = available
            state.idle_since = now
            state.save(update_fields=["available", "idle_since"])
        if not available:
            _withdraw_offers(Offer.objects.filter(attendant=user, state=Offer.State.PENDING), now=now)
            tickets_return_unanswered(user=user, now=now)
        _dispatch_on_commit()
    realtime.publish_offers_changed(user.pk)
    return state


@tickets_realtime.batched
def tickets_return_unanswered(*, user: AbstractBaseUser, now: datetime | None = None) -> list[int]:
    """The attendant's tickets "Em Atendimento" with no reply of theirs yet go back to waiting.

    The queue orders by priority and opening time, which do not change: they return to their
    original place. Not a move of the status table (an attendant cannot "un-take"): the system does it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        tickets = list(
            Ticket.objects.select_for_update(of=("self",))
            .filter(attendant=user, status=Status.EM_ATENDIMENTO, first_response_at__isnull=True)
            .order_by("priority", "opened_at", "id")
        )
        status = Status.NAO_INICIADO if attendance_is_open(at=now) else Status.OFFLINE
        for ticket in tickets:
            ticket.status = status
            ticket.attendant = None
            ticket.taken_at = None
            ticket.save(update_fields=["status", "attendant", "taken_at"])
            tickets_realtime.publish_status(ticket)
            tickets_realtime.publish_ticket_changed(ticket)
    if tickets:
        logger.info("Returned %d unanswered ticket(s) of attendant %s to the queue", len(tickets), user.pk)
    return [ticket.pk for ticket in tickets]


def _withdraw_offers(offers, *, now: datetime, state: str = Offer.State.WITHDRAWN) -> list[Offer]:
    rows = list(offers.select_for_update(of=("self",)))
    for offer in rows:
        offer.state = state
        offer.answered_at = now
        offer.save(update_fields=["state", "answered_at"])
        realtime.publish_offers_changed(offer.attendant_id)
    return rows


def _expire_due(now: datetime) -> list[Offer]:
    """Pending offers past their time expire; the attendant who let one expire is not offered it again."""
    due = Offer.objects.filter(state=Offer.State.PENDING, expires_at__lte=now)
    return _withdraw_offers(due, now=now, state=Offer.State.EXPIRED)


@tickets_realtime.batched
def offers_withdraw_stale(*, now: datetime | None = None) -> list[Offer]:
    """The sweep's backstop: offers of tickets someone took ("Assumir", "Atender próximo") or that left the queue.
    Each such change withdraws its own ticket's offers at once (offers_withdraw_for_ticket)."""
    stale = Offer.objects.filter(state=Offer.State.PENDING).exclude(
        ticket__status__in=WAITING_STATUSES, ticket__attendant__isnull=True
    )
    with transaction.atomic():
        return _withdraw_offers(stale, now=now or timezone.now())


@tickets_realtime.batched
def offers_withdraw_for_ticket(*, ticket_id: int) -> list[Offer]:
    """The ticket was taken or left the queue: its pending offer (if any) ends, in the same transaction."""
    with transaction.atomic():
        return _withdraw_offers(
            Offer.objects.filter(ticket_id=ticket_id, state=Offer.State.PENDING), now=timezone.now()
        )


@tickets_realtime.batched
def routing_dispatch(*, now: datetime | None = None) -> list[Offer]:
    """Offer the waiting tickets, in queue order, to the available attendants with free capacity.

    Each ticket goes to the attendant with the most free capacity (open tickets and pending offers
    count against it); ties go to the one idle longest. The available attendants' rows are locked
    (in id order), so dispatches run one at a time; waiting tickets are locked with skip_locked,
    so a ticket being taken by hand right now is left alone. Returns the offers made.
    """
    if not settings.ROUTING_ENABLED:
        return []
    now = now or timezone.now()
    with transaction.atomic():
        if _inline_tasks():
            # No broker, so no expiry task: what is due expires here. With a broker the task does it at the deadline.
            _expire_due(now)
        states = list(
            AttendantState.objects.select_for_update(of=("self",))
            .filter(available=True, user__is_active=True, user__is_staff=True)
            .order_by("pk")
        )
        if not states:
            return []
        load = attendant_load(user_ids=[state.user_id for state in states])
        free = {state.user_id: state.capacity - load[state.user_id] for state in states}
        slots = sum(max(0, value) for value in free.values())
        if not slots:
            return []
        pending = Offer.objects.filter(ticket=OuterRef("pk"), state=Offer.State.PENDING)
        tickets = list(
            queue_waiting()
            .filter(attendant__isnull=True)
            .filter(~Exists(pending))
            .select_for_update(skip_locked=True, of=("self",))[:slots]
        )
        if not tickets:
            return []
        declined: dict[int, set[int]] = {}
        for ticket_id, user_id in Offer.objects.filter(
            ticket_id__in=[ticket.pk for ticket in tickets], state=Offer.State.EXPIRED
        ).values_list("ticket_id", "attendant_id"):
            declined.setdefault(ticket_id, set()).add(user_id)
        # Most free capacity first, then idle longest, then the lower id (a stable order).
        heap = [(-free[s.user_id], s.idle_since, s.user_id) for s in states if free[s.user_id] > 0]
        heapq.heapify(heap)
        offers: list[Offer] = []
        expires = now + timedelta(seconds=settings.ROUTING_OFFER_SECONDS)
        for ticket in tickets:
            if not heap:
                break
            skipped = []
            refused = declined.get(ticket.pk, set())
            while heap and heap[0][2] in refused:
                skipped.append(heapq.heappop(heap))
            # Everyone available let this one expire already: it goes round again, to the best of them.
            choice = heapq.heappop(heap) if heap else heapq.heappop(skipped)
            for item in skipped:
                heapq.heappush(heap, item)
            negative_free, _idle, user_id = choice
            offers.append(Offer(ticket=ticket, attendant_id=user_id, created_at=now, expires_at=expires))
            if negative_free + 1 < 0:
                # Offered now: no longer idle, so among equals the others come first.
                heapq.heappush(heap, (negative_free + 1, now, user_id))
        Offer.objects.bulk_create(offers)
        chosen = {offer.attendant_id for offer in offers}
        AttendantState.objects.filter(user_id__in=chosen).update(idle_since=now)
        for offer in offers:
            realtime.publish_offer(offer.pk, offer.attendant_id, offer.ticket_id)
        transaction.on_commit(partial(_schedule_expiry, [offer.pk for offer in offers]), robust=True)
    return offers


def _inline_tasks() -> bool:
    from atende_chat.celery import app

    return bool(app.conf.task_always_eager)


def _schedule_expiry(offer_ids: list[int]) -> None:
    """A task at the offers' deadline; the beat sweep covers a lost one. Inline mode (no broker)
    cannot wait: there each dispatch expires what is due first."""
    from .tasks import offer_expire

    if _inline_tasks() or not offer_ids:
        return
    # One task for the whole dispatch (its offers share one deadline): one broker round trip, not one per offer.
    offer_expire.apply_async((offer_ids,), countdown=settings.ROUTING_OFFER_SECONDS)


def _dispatch_after_commit() -> None:
    try:
        routing_dispatch()
    except Exception:
        # The change that triggered it is committed; the beat sweep dispatches again.
        logger.exception("Routing dispatch failed; the sweep will try again")


def _dispatch_on_commit() -> None:
    """One dispatch after this transaction, however many changes it made (after their events)."""
    if not settings.ROUTING_ENABLED:
        return
    tickets_realtime.after_commit(_dispatch_after_commit, key="routing.dispatch")


@tickets_realtime.batched
def offer_accept(*, offer_id: int, user: AbstractBaseUser) -> Ticket:
    """ "Aceitar": the ticket becomes the attendant's, if the offer is theirs, pending and in time."""
    now = timezone.now()
    refusal: ApplicationError | None = None
    with transaction.atomic():
        offer = Offer.objects.select_for_update().filter(pk=offer_id).first()
        if offer is None or offer.attendant_id != user.pk:
            raise errors.OfferRefused(errors.OFFER_NOT_YOURS)
        if offer.state == Offer.State.ACCEPTED:
            return Ticket.objects.get(pk=offer.ticket_id)
        if offer.state != Offer.State.PENDING:
            taken = Ticket.objects.filter(pk=offer.ticket_id, attendant__isnull=False).exclude(attendant=user)
            raise errors.OfferRefused(errors.OFFER_GONE if taken.exists() else errors.OFFER_EXPIRED)
        if offer.expires_at <= now:
            offer.state = Offer.State.EXPIRED
            refusal = errors.OfferRefused(errors.OFFER_EXPIRED)
        else:
            try:
                with transaction.atomic():
                    ticket = tickets_services.ticket_take(ticket=offer.ticket, attendant=user)
            except ApplicationError:
                offer.state = Offer.State.WITHDRAWN
                refusal = errors.OfferRefused(errors.OFFER_GONE)
            else:
                offer.state = Offer.State.ACCEPTED
        offer.answered_at = now
        offer.save(update_fields=["state", "answered_at"])
        realtime.publish_offers_changed(user.pk)
        _dispatch_on_commit()
    if refusal is not None:
        raise refusal
    return ticket


@tickets_realtime.batched
def offer_expire(*, offer_id: int | list[int]) -> bool:
    """The offers' time is up: those still pending expire and their tickets go to the next attendant."""
    now = timezone.now()
    offer_ids = offer_id if isinstance(offer_id, list) else [offer_id]
    with transaction.atomic():
        expired = _withdraw_offers(
            Offer.objects.filter(pk__in=offer_ids, state=Offer.State.PENDING, expires_at__lte=now),
            now=now,
            state=Offer.State.EXPIRED,
        )
        if expired:
            _dispatch_on_commit()
    return bool(expired)


@tickets_realtime.batched
def overdue_alert_sweep(*, now: datetime | None = None) -> list[int]:
    """Waiting tickets past QUEUE_OVERDUE_SECONDS (in attendance hours) alert the attendants on-line, once each."""
    now = now or timezone.now()
    if not attendance_is_open(at=now):
        return []
    with transaction.atomic():
        overdue = list(
            Ticket.objects.filter(
                status=Status.NAO_INICIADO, attendant__isnull=True, opened_at__lte=overdue_cutoff(now=now)
            )
            .filter(~Exists(OverdueAlert.objects.filter(ticket=OuterRef("pk"))))
            .order_by("priority", "opened_at", "id")
            .values_list("pk", flat=True)[:500]
        )
        if not overdue:
            return []
        created = OverdueAlert.objects.bulk_create(
            [OverdueAlert(ticket_id=ticket_id) for ticket_id in overdue], ignore_conflicts=True
        )
        realtime.publish_overdue(overdue)
        # The queue pages redraw: their rows get the overdue mark (TicketAdmin.waiting_time).
        tickets_realtime.send_on_commit(
            tickets_realtime.QUEUE_GROUP, lambda: {"type": "queue.changed", "ticket": overdue[0]}, key="overdue"
        )
    return [alert.ticket_id for alert in created]


def notice_preference_set(*, user: AbstractBaseUser, reply_email: bool) -> NoticePreference:
    """ "Meus Dados": the e-mail notice of unread replies, on or off for this person."""
    with transaction.atomic():
        preference, _ = NoticePreference.objects.select_for_update().get_or_create(user=user)
        preference.reply_email = bool(reply_email)
        preference.save(update_fields=["reply_email"])
    return preference
