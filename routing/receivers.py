"""What routing does when a ticket changes or an attendant logs out (connected in RoutingConfig.ready)."""

from functools import partial

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from atende_chat.errors import ApplicationError
from tickets import realtime as tickets_realtime
from tickets.models import CLOSED_STATUSES, WAITING_STATUSES
from tickets.signals import ticket_changed

from . import realtime, services
from .models import AttendantState


@receiver(ticket_changed, dispatch_uid="routing.ticket_changed")
def ticket_changed_moves_the_queue(sender, ticket, **kwargs) -> None:
    if ticket.queue_state_changed:
        # Waiting requesters recompute their place (each socket throttles itself).
        realtime.publish_queue_moved()
        if ticket.attendant_id is not None or ticket.status not in WAITING_STATUSES:
            # After the commit, once the ticket's row lock is released: an accept holds the offer's lock and then
            # asks for the ticket's, so taking the offer's lock here, under the ticket's, could deadlock.
            tickets_realtime.after_commit(partial(services.offers_withdraw_for_ticket, ticket_id=ticket.pk))
        services._dispatch_on_commit()
    if ticket.status not in CLOSED_STATUSES and ticket.last_attendant_message_id > ticket.requester_read_id:
        from .tasks import reply_notice_queue

        tickets_realtime.after_commit(
            partial(
                reply_notice_queue,
                ticket.pk,
                ticket.last_attendant_message_id,
                countdown=settings.REPLY_NOTICE_AFTER,
            )
        )


@receiver(user_logged_out, dispatch_uid="routing.logout_makes_away")
def logout_makes_away(sender, request, user, **kwargs) -> None:
    """An attendant who logs out is away: their offers and unanswered tickets go back to the queue."""
    if user is None or not AttendantState.objects.filter(user=user, available=True).exists():
        return
    try:
        services.attendant_availability_set(user=user, available=False)
    except ApplicationError:
        # No longer an attendant: nothing of theirs is routed anyway (the dispatch checks staff and active).
        AttendantState.objects.filter(user=user).update(available=False)
