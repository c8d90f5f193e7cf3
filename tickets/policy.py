"""Who may do what to a ticket, written once (issue 14, point 11).

The services ask ``policy_check`` and refuse with the decision's error; the admin pages ask
``ticket_actions`` and show or hide their controls. Neither recomputes a rule of its own.

Roles: not an attendant; the holder; an attendant while nobody holds the ticket; another attendant,
with or without ``tickets.take_over_ticket`` (not given to the "Atendentes" group by default: taking a
live conversation from a colleague is a supervisor's act; the others ask the holder for it).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext

from . import errors
from .models import Status, Ticket
from .selectors import user_is_attendant

S = Status
#: The one table of allowed status changes (S19). Closed statuses are final.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.NAO_INICIADO: frozenset({S.EM_ATENDIMENTO, S.AGENDADO, S.CANCELADO, S.CONCLUIDO_USUARIO}),
    S.OFFLINE: frozenset({S.EM_ATENDIMENTO, S.AGENDADO, S.CANCELADO, S.CONCLUIDO_USUARIO}),
    S.EM_ATENDIMENTO: frozenset(
        {S.AGUARDANDO_RETORNO, S.AGENDADO, S.EM_DESENVOLVIMENTO, S.CONCLUIDO, S.CANCELADO, S.CONCLUIDO_USUARIO}
    ),
    S.AGUARDANDO_RETORNO: frozenset({S.EM_ATENDIMENTO, S.AGENDADO, S.CONCLUIDO, S.CANCELADO, S.CONCLUIDO_USUARIO}),
    S.AGENDADO: frozenset({S.EM_ATENDIMENTO, S.CONCLUIDO, S.CANCELADO, S.CONCLUIDO_USUARIO}),
    S.EM_DESENVOLVIMENTO: frozenset({S.FINALIZADO_FABRICA, S.EM_ATENDIMENTO, S.CANCELADO, S.CONCLUIDO_USUARIO}),
    S.FINALIZADO_FABRICA: frozenset({S.EM_ATENDIMENTO, S.CONCLUIDO, S.CANCELADO, S.CONCLUIDO_USUARIO}),
    S.CANCELADO: frozenset(),
    S.CONCLUIDO_USUARIO: frozenset(),
    S.CONCLUIDO: frozenset(),
}
#: Only the requester concludes as "Chat Concluído pelo Usuário"; attendants use the rest of the table.
REQUESTER_ONLY = frozenset({S.CONCLUIDO_USUARIO})

TAKE_OVER_PERMISSION = "tickets.take_over_ticket"


def transition_allowed(*, current: str, target: str) -> bool:
    return target in ALLOWED_TRANSITIONS.get(current, frozenset())


def attendant_statuses(*, current: str) -> list[str]:
    """The statuses an attendant may move a ticket to from ``current``, in the table's order."""
    return [
        value
        for value in Status.values
        if transition_allowed(current=current, target=value) and value not in REQUESTER_ONLY
    ]


class Action(StrEnum):
    TAKE = "take"
    TAKE_OVER = "take_over"
    REPLY = "reply"
    NOTE = "note"
    TRANSFER = "transfer"
    CHANGE_STATUS = "change_status"
    CONCLUDE = "conclude"
    REQUEST_TRANSFER = "request_transfer"
    #: Reading marks the requester's messages read: only the holder's reading (or anyone's while nobody holds it).
    READ = "read"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: Why not, in the active language ("" when allowed).
    reason: str = ""
    error: type[errors.TicketError] = errors.NotAllowed

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def _deny(reason: str, error: type[errors.TicketError] = errors.NotAllowed) -> Decision:
    return Decision(False, reason, error)


def holder_name(ticket: Ticket) -> str:
    from .services import display_name

    return display_name(ticket.attendant) if ticket.attendant_id else ""


def policy_decide(*, user: AbstractBaseUser | AnonymousUser, ticket: Ticket, action: Action | str) -> Decision:
    """Whether ``user`` may do ``action`` to ``ticket`` now, and the Portuguese reason when not."""
    action = Action(action)
    if not user_is_attendant(user=user):
        return _deny(gettext(errors.NOT_AN_ATTENDANT).format(name=user.get_username()))
    mine = ticket.attendant_id == user.pk
    free = ticket.attendant_id is None
    if action == Action.READ:
        return ALLOWED if mine or free else _deny(gettext(errors.NOT_YOUR_TICKET).format(name=holder_name(ticket)))
    if ticket.is_closed:
        return _deny(gettext(errors.TICKET_CLOSED), errors.TicketClosed)
    if action == Action.TAKE:
        if mine:
            return _deny(gettext(errors.ALREADY_YOURS), errors.InvalidInput)
        if not free:
            return _deny(gettext(errors.ALREADY_TAKEN).format(name=holder_name(ticket)))
        if not transition_allowed(current=ticket.status, target=Status.EM_ATENDIMENTO):
            return _transition_refused(ticket, Status.EM_ATENDIMENTO)
        return ALLOWED
    if action in (Action.TAKE_OVER, Action.REQUEST_TRANSFER):
        if mine or free:
            return _deny(gettext(errors.NOT_HELD_BY_ANOTHER), errors.InvalidInput)
        may_take_over = user.has_perm(TAKE_OVER_PERMISSION)
        if action == Action.TAKE_OVER:
            if may_take_over:
                return ALLOWED
            return _deny(gettext(errors.TAKE_OVER_NOT_ALLOWED).format(name=holder_name(ticket)))
        # Who may take it over does so; asking is for the others.
        return _deny(gettext(errors.REQUEST_NOT_NEEDED), errors.InvalidInput) if may_take_over else ALLOWED
    if action == Action.TRANSFER:
        # Administrators hand on any ticket; an attendant, their own or a free one.
        if mine or free or user.is_superuser:
            return ALLOWED
        return _deny(gettext(errors.NOT_YOUR_TICKET).format(name=holder_name(ticket)))
    # Reply, note, change of status, conclusion: the holder's, or anyone's while nobody holds it.
    if not (mine or free):
        return _deny(gettext(errors.NOT_YOUR_TICKET).format(name=holder_name(ticket)))
    if action == Action.CHANGE_STATUS and not attendant_statuses(current=ticket.status):
        return _deny(
            gettext(errors.NO_STATUS_CHANGE).format(current=ticket.get_status_display()), errors.TransitionNotAllowed
        )
    if action == Action.CONCLUDE and not transition_allowed(current=ticket.status, target=Status.CONCLUIDO):
        return _transition_refused(ticket, Status.CONCLUIDO)
    return ALLOWED


def _transition_refused(ticket: Ticket, target: str) -> Decision:
    return _deny(
        gettext(errors.TRANSITION_NOT_ALLOWED).format(current=ticket.get_status_display(), target=Status(target).label),
        errors.TransitionNotAllowed,
    )


def policy_check(*, user: AbstractBaseUser, ticket: Ticket, action: Action | str) -> None:
    """Raise the decision's ApplicationError when ``action`` is not allowed (the services' side)."""
    decision = policy_decide(user=user, ticket=ticket, action=action)
    if not decision.allowed:
        raise decision.error(decision.reason)


def ticket_actions(*, user: AbstractBaseUser, ticket: Ticket) -> dict[str, Decision]:
    """Every action's decision, for the pages: ``actions.reply`` in a template is truthy when allowed."""
    return {action.value: policy_decide(user=user, ticket=ticket, action=action) for action in Action}
