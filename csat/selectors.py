"""Reads of the satisfaction survey: what the form shows."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket

from .models import SCORE_MAX, SCORE_MIN, SatisfactionAnswer
from .services import csat_deadline, csat_is_open

SCORE_LABELS = {
    1: _("1 – Muito insatisfeito"),
    2: _("2 – Insatisfeito"),
    3: _("3 – Neutro"),
    4: _("4 – Satisfeito"),
    5: _("5 – Muito satisfeito"),
}


def answer_for(*, ticket: Ticket) -> SatisfactionAnswer | None:
    """The ticket's answer, from select_related when the caller loaded it."""
    try:
        return ticket.satisfaction
    except SatisfactionAnswer.DoesNotExist:
        return None


def survey_context(*, ticket: Ticket, action: str, error: str = "", values: dict | None = None) -> dict:
    """The form's state: the current answer (or what was just refused), the deadline, whether it is still open."""
    answer = answer_for(ticket=ticket)
    if values is None:
        values = {"score": str(answer.score) if answer else "", "comment": answer.comment if answer else ""}
    return {
        "ticket": ticket,
        "answer": answer,
        "action": action,
        "error": error,
        "values": values,
        "scores": [(str(score), SCORE_LABELS[score]) for score in range(SCORE_MIN, SCORE_MAX + 1)],
        "deadline": csat_deadline(ticket=ticket),
        "survey_open": csat_is_open(ticket=ticket, now=timezone.now()),
    }
