"""{% csat_prompt ticket %}: the survey under a concluded conversation (one query, only for concluded tickets)."""

from django import template
from django.urls import reverse

from tickets.models import CONCLUDED_STATUSES, Ticket

from ..models import SatisfactionAnswer
from ..selectors import survey_context

register = template.Library()


@register.inclusion_tag("csat/_prompt.html", takes_context=True)
def csat_prompt(context, ticket: Ticket) -> dict:
    if ticket.status not in CONCLUDED_STATUSES:
        return {"show": False}
    # Fresh from the database: the page's ticket was loaded before any answer of this request.
    ticket = Ticket.objects.select_related("satisfaction").get(pk=ticket.pk)
    state = survey_context(ticket=ticket, action=reverse("csat-chat", args=[ticket.pk]))
    return {"show": True, "csrf_token": context.get("csrf_token"), **state}


@register.inclusion_tag("csat/_admin_answer.html")
def csat_admin_answer(ticket: Ticket) -> dict:
    """The answer on the attendant's ticket page (only concluded tickets can have one)."""
    if ticket.status not in CONCLUDED_STATUSES:
        return {"show": False}
    return {"show": True, "answer": SatisfactionAnswer.objects.filter(ticket_id=ticket.pk).first()}
