"""Staff-side pages of the chat (S3–S22). Thin: parse, call a service or selector, render.

Every URL here answers 404 unless the logged user is a person whose entity has the chat on (S2),
and every ticket URL answers the same 404 for a ticket that is not the person's own (B5).
The chat window itself sits behind the contact gate (S5): without an e-mail and a phone the
server answers 403 with the "Erro (EST-000206)" page, whatever the browser does.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.views import i18n as django_i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atende_chat.errors import ApplicationError
from attachments.errors import AttachmentRejected
from people.context_processors import request_person
from people.errors import CONTACTS_MISSING, CONTACTS_MISSING_CODE, ContactsMissing
from people.models import Contact, Person
from people.selectors import person_chat_enabled, person_has_required_contacts

from . import errors, services
from .forms import MessageForm, TicketOpenForm
from .models import Status, Ticket
from .selectors import (
    attendance_next_start,
    attendance_state,
    message_list,
    message_opening_list,
    module_list_active,
    seen_marks,
    ticket_get_for_user,
    ticket_panel_list,
    ticket_recent_list,
    ticket_unread_count,
)
from .sending import message_send_response, wants_json

OFFLINE_NOTICE = gettext_noop(
    "Seu atendimento foi registrado fora do horário de atendimento e será respondido no próximo período de atendimento."
)
CLOSED_NOW_NOTICE = gettext_noop(
    "Estamos fora do horário de atendimento. Você pode registrar seu atendimento agora: "
    "ele será respondido no próximo período de atendimento."
)
WAITING_NOTICE = gettext_noop("Aguarde! Em breve seu atendimento será realizado!")
LEAVE_NOTICE = gettext_noop(
    "Caso você feche o atendimento agora, você será notificado dentro do próprio sistema toda vez que o "
    "Call-Center da IPM lhe enviar uma mensagem."
)
UNREAD_LEGEND = gettext_noop(
    "Quando um atendimento aparecer em vermelho significa que você possui uma mensagem não lida."
)
PANEL_EMPTY = gettext_noop(
    "Você não possui registros de chat em atendimento. Deseja iniciar um atendimento com um de nossos profissionais?"
)
CHAT_OFF = gettext_noop(
    "O Atendimento On-line foi desativado para a sua entidade pela IPM. Nada foi enviado. "
    "Para falar com o Call-Center da IPM, ligue para {phone}."
)
CONCLUDED = gettext_noop("Atendimento concluído. Você receberá por e-mail todos os dados do atendimento.")
GATE_DETAILS = gettext_noop(
    "Código EST-000206: o cadastro de pessoa ligado ao seu usuário não tem ao menos um endereço de e-mail "
    "e um telefone para contato. O Call-Center da IPM usa esses dados para retornar o atendimento e para "
    "enviar a transcrição quando ele for concluído."
)


def _error_status(error: ApplicationError) -> int:
    return 429 if isinstance(error, errors.RateLimited) else 400


def chat_page(*, gate: bool = True) -> Callable:
    """Login, chat enabled for the person's entity (404 otherwise) and, for the chat window, the contact gate."""

    def decorator(view: Callable) -> Callable:
        # no-store: a shared computer's browser must not keep or show someone's conversation after logout.
        @never_cache
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            person = request_person(request)
            if person is not None and not person_chat_enabled(person=person):
                # The entity had the chat and IPM switched it off (S2): say so rather than "not found".
                return chat_off_response(request)
            if not person_chat_enabled(person=person):
                raise Http404
            if gate and not person_has_required_contacts(person=person):
                return gate_response(request)
            return view(request, person, *args, **kwargs)

        return wrapper

    return decorator


def chat_off_response(request: HttpRequest) -> HttpResponse:
    """403: the person's entity no longer has the on-line chat; nothing was done, the phone remains."""
    text = gettext(CHAT_OFF).format(phone=settings.SUPPORT_PHONE)
    response = render(request, "tickets/chat_off.html", shell_context(request, {"chat_off": text}), status=403)
    # A send from the page (static/js/send.js) reloads to show this page rather than a line's error.
    response["X-Atende-Chat-Off"] = "1"
    return response


def gate_response(request: HttpRequest) -> HttpResponse:
    """S5 without JavaScript: the error itself, with "OK" leading to the registration page."""
    return render(
        request,
        "tickets/gate.html",
        shell_context(
            request,
            {
                "gate_code": CONTACTS_MISSING_CODE,
                "gate_text": gettext(CONTACTS_MISSING),
                "gate_details": gettext(GATE_DETAILS),
            },
        ),
        status=403,
    )


def shell_context(request: HttpRequest, context: dict) -> dict:
    """What base.html needs around any staff page: the badge count and the phone channel (S12, S22)."""
    person = request_person(request)
    unread = ticket_unread_count(person_id=person.pk) if person_chat_enabled(person=person) else 0
    return {
        "chat_unread": unread,
        "support_phone": settings.SUPPORT_PHONE,
        **context,
    }


def _own_ticket(request: HttpRequest, person: Person, number: int) -> Ticket:
    """The access check, plus: on the staff pages even an attendant sees only their own tickets as a requester."""
    ticket = ticket_get_for_user(user=request.user, number=number)
    if ticket.requester_id != person.pk:
        raise Http404
    return ticket


def _panel_context(person: Person) -> dict:
    return {
        "tickets": ticket_panel_list(person=person),
        "unread": ticket_unread_count(person_id=person.pk),
        "contacts_ok": person_has_required_contacts(person=person),
        "attendance": attendance_state(),
        "panel_empty": gettext(PANEL_EMPTY),
        "gate_code": CONTACTS_MISSING_CODE,
        "gate_text": gettext(CONTACTS_MISSING),
        "gate_details": gettext(GATE_DETAILS),
    }


@require_GET
@chat_page(gate=False)
def panel(request: HttpRequest, person: Person) -> HttpResponse:
    """The "ATENDIMENTO ON-LINE" panel as an HTML fragment (S3, S4, S14); chat.js and realtime.js fetch it."""
    return render(request, "tickets/_panel.html", _panel_context(person))


@require_GET
@chat_page(gate=False)
def panel_page(request: HttpRequest, person: Person) -> HttpResponse:
    """The same panel as a whole page: where the toolbar icon leads when JavaScript is off."""
    context = {**_panel_context(person), "panel_page": True}
    return render(request, "tickets/panel_page.html", shell_context(request, context))


@require_GET
@chat_page()
def chat_window(request: HttpRequest, person: Person) -> HttpResponse:
    """ "Meus Atendimentos" (S18): the last 20, open ones first, then "Finalizados"."""
    tickets = ticket_recent_list(person=person)
    context = {
        "person": person,
        "tab": "mine",
        "in_progress": [t for t in tickets if not t.is_closed],
        "finished": [t for t in tickets if t.is_closed],
        "unread_legend": gettext(UNREAD_LEGEND),
    }
    return render(request, "tickets/my_tickets.html", shell_context(request, context))


@require_http_methods(["GET", "POST"])
@chat_page()
def ticket_new(request: HttpRequest, person: Person) -> HttpResponse:
    """ "Novo Atendimento" (S7, S8, S11): the reason and files open a ticket; then its page shows it waiting."""
    form = TicketOpenForm(request.POST if request.method == "POST" else None, modules=list(module_list_active()))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_open(
                requester=person,
                user=request.user,
                module_id=form.cleaned_data["module"],
                reason=form.cleaned_data["reason"],
                files=request.FILES.getlist("files"),
            )
        except ContactsMissing:
            return gate_response(request)
        except ApplicationError as error:
            form.add_error(_open_error_field(error), error.message)
            status = _error_status(error)
        else:
            return redirect("chat-ticket", number=ticket.number)
    context = {
        "person": person,
        "tab": "new",
        "form": form,
        "now": timezone.now(),
        "attendance": attendance_state(),
        "closed_now_notice": gettext(CLOSED_NOW_NOTICE),
    }
    return render(request, "tickets/new_ticket.html", shell_context(request, context), status=status)


def _open_error_field(error: ApplicationError) -> str | None:
    """Put the refusal next to the field it is about; file refusals go above the form."""
    if isinstance(error, AttachmentRejected):
        return None
    if error.message == gettext(errors.MODULE_INVALID):
        return "module"
    if isinstance(error, errors.InvalidInput):
        return "reason"
    return None


@require_GET
@chat_page()
def my_data(request: HttpRequest, person: Person) -> HttpResponse:
    """ "Meus Dados" (S20)."""
    contacts = list(person.contacts.all())
    context = {
        "person": person,
        "tab": "data",
        "emails": [c for c in contacts if c.kind == Contact.Kind.EMAIL],
        "phones": [c.value for c in contacts if c.kind == Contact.Kind.PHONE],
    }
    return render(request, "tickets/my_data.html", shell_context(request, context))


@require_http_methods(["GET", "POST"])
@chat_page()
def ticket_detail(request: HttpRequest, person: Person, number: int) -> HttpResponse:
    """The conversation (S9, S15): GET reads it (and marks the attendant's messages read), POST answers."""
    ticket = _own_ticket(request, person, number)
    if request.method == "POST" and wants_json(request):
        return message_send_response(request, ticket=ticket, previous=_waiting(ticket))
    form = MessageForm(request.POST if request.method == "POST" else None, waiting=_waiting(ticket))
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_message_create(
                ticket=ticket, user=request.user, body=form.cleaned_data["body"], files=request.FILES.getlist("files")
            )
        except ApplicationError as error:
            form.add_error(None if isinstance(error, AttachmentRejected) else "body", error.message)
            return _render_ticket(request, person, ticket, form, status=_error_status(error))
        return redirect("chat-ticket", number=ticket.number)
    return _render_ticket(request, person, ticket, form)


def _waiting(ticket: Ticket) -> bool:
    """Nobody has answered yet: the page still reads as "Novo Atendimento" (S9)."""
    return ticket.awaits_first_reply


def _render_ticket(
    request: HttpRequest, person: Person, ticket: Ticket, form: MessageForm, *, status: int = 200, error: str = ""
) -> HttpResponse:
    dialog = message_list(ticket=ticket)
    if dialog:
        services.ticket_mark_read(ticket=ticket, user=request.user, up_to=dialog[-1].pk)
    waiting = _waiting(ticket)
    offline = ticket.status == Status.OFFLINE
    context = {
        "person": person,
        "tab": "new" if waiting else "mine",
        "ticket": ticket,
        "dialog": dialog,
        "last_id": dialog[-1].pk if dialog else 0,
        "waiting": waiting,
        "form": form,
        "error": error,
        "offline": offline,
        "offline_notice": gettext(OFFLINE_NOTICE),
        "next_period": attendance_next_start(at=ticket.opened_at) if offline else None,
        "waiting_notice": gettext(WAITING_NOTICE),
        "leave_notice": gettext(LEAVE_NOTICE),
        "closed_notice": gettext(errors.TICKET_CLOSED),
        "seen": seen_marks(ticket=ticket, own="requester"),
    }
    return render(request, "tickets/ticket.html", shell_context(request, context), status=status)


@require_GET
@chat_page()
def ticket_info(request: HttpRequest, person: Person, number: int) -> HttpResponse:
    """ "Mais Informações" (S21)."""
    ticket = _own_ticket(request, person, number)
    context = {"person": person, "tab": "mine", "ticket": ticket, "opening": message_opening_list(ticket=ticket)}
    return render(request, "tickets/ticket_info.html", shell_context(request, context))


@require_POST
@chat_page()
def ticket_conclude(request: HttpRequest, person: Person, number: int) -> HttpResponse:
    """ "Concluir Atendimento" (S16, S17)."""
    ticket = _own_ticket(request, person, number)
    try:
        services.ticket_conclude_by_requester(ticket=ticket, user=request.user)
    except ApplicationError as error:
        return _render_ticket(request, person, ticket, MessageForm(), status=_error_status(error), error=error.message)
    messages.success(request, gettext(CONCLUDED))
    return redirect("chat-ticket", number=ticket.number)


class JavaScriptCatalog(django_i18n.JavaScriptCatalog):
    """Django's JavaScript catalogue (djangojs), plus the status labels that the live events carry.

    Status events go to a group whose members may read different languages, so they carry the
    Portuguese source text (tickets.realtime); realtime.js translates it with this catalogue (message
    events carry their line already rendered per language). Served as a script from our own origin:
    no inline script, CSP stays `script-src 'self'`.
    """

    def get_catalog(self) -> dict:
        catalog = super().get_catalog()
        with translation.override(settings.LANGUAGE_CODE):
            sources = [str(label) for label in Status.labels]
        for source, label in zip(sources, Status.labels, strict=True):
            catalog.setdefault(source, str(label))
        return catalog


javascript_catalog = JavaScriptCatalog.as_view(domain="djangojs")
