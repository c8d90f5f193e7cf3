"""Pages of privacy: the privacy notice, "Meus Dados" downloads, and "Mostrar" of "Mais Informações"."""

import json

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from people.context_processors import request_person
from people.models import Contact, Person
from tickets.selectors import ticket_get_for_user, user_is_attendant

from . import errors, services


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """ "Aviso de privacidade": public, configured per installation (settings PRIVACY_*, from the environment)."""
    context = {
        "controller_name": settings.PRIVACY_CONTROLLER_NAME,
        "controller_contact": settings.PRIVACY_CONTROLLER_CONTACT,
        "dpo_name": settings.PRIVACY_DPO_NAME,
        "dpo_email": settings.PRIVACY_DPO_EMAIL,
        "ticket_days": settings.PRIVACY_TICKET_RETENTION_DAYS,
        "log_days": settings.PRIVACY_LOG_RETENTION_DAYS,
    }
    return render(request, "privacy/notice.html", context)


def _own_person(request: HttpRequest) -> Person:
    person = request_person(request)
    if person is None:
        raise Http404
    return person


@never_cache
@require_GET
@login_required
def my_data_page(request: HttpRequest) -> HttpResponse:
    """The person's own data as a readable page (art. 18 II): registration, contacts, tickets, messages, files."""
    person = _own_person(request)
    data = services.person_self_export(user=request.user, person=person)
    return render(request, "privacy/my_data_export.html", {"data": data, "person": person})


@never_cache
@require_GET
@login_required
def my_data_json(request: HttpRequest) -> HttpResponse:
    """The same data as a JSON file to keep or take elsewhere (art. 18 V)."""
    person = _own_person(request)
    data = services.person_self_export(user=request.user, person=person)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="meus-dados-{person.code}-{stamp}.json"'
    return response


@never_cache
@require_POST
@staff_member_required
def reveal(request: HttpRequest, number: int) -> HttpResponse:
    """ "Mostrar": the requester's whole CPF and contacts, for attendants with privacy.view_full_cpf; logged."""
    if not user_is_attendant(user=request.user):
        raise PermissionDenied
    ticket = ticket_get_for_user(user=request.user, number=number)
    try:
        person = services.person_reveal(user=request.user, ticket=ticket)
    except errors.NotAllowed as error:
        raise PermissionDenied(error.message) from None
    context = {
        "ticket": ticket,
        "person": person,
        "contacts": list(Contact.objects.filter(person=person).order_by("kind", "id")),
        "title": errors.REVEAL_TITLE,
    }
    return render(request, "privacy/reveal.html", context)
