"""How the queue shows durations and names: short, human, in the active language ("12 min", "2 h 05 min")."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext

from people.models import Person
from people.text import name_clean

from ..models import Ticket


def duration_display(duration: timedelta | None) -> str:
    if duration is None:
        return "\u2014"
    minutes = max(int(duration.total_seconds()) // 60, 0)
    if minutes < 1:
        return gettext("menos de 1 min")
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def ticket_wait(ticket: Ticket, *, now: datetime) -> timedelta | None:
    """How long the requester waited for an attendant: until now while waiting, until taken afterwards."""
    if ticket.is_waiting:
        return now - ticket.opened_at
    if ticket.taken_at:
        return ticket.taken_at - ticket.opened_at
    return None


def user_display(user: AbstractBaseUser | None) -> str:
    """The attendant's name as the dialog writes it (person name, else full name, else login)."""
    if user is None:
        return "\u2014"
    try:
        return user.person.name
    except Person.DoesNotExist:
        return name_clean(user.get_full_name()) or user.get_username()
