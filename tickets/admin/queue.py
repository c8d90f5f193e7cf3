"""The attendants' side in the Django admin: the queue (the ticket list) and the conversation (the ticket page).

Thin on purpose: every change goes through tickets.services; a refusal becomes an admin error
message and changes nothing. Attendants are staff in the "Atendentes" group (user_is_attendant).
"""

import re

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from atende_chat.errors import ApplicationError
from people.validators import only_digits

from .. import services
from ..canned import canned_reply_options
from ..errors import NotAllowed, RateLimited, TicketClosed, TransitionNotAllowed
from ..models import AttendancePeriod, Message, Module, QueueSettings, Status, Ticket
from ..policy import Action, attendant_statuses, policy_decide, ticket_actions
from ..presence import presence_available_count, presence_available_ids
from ..selectors import (
    PREVIEW_CHARS,
    WaitLevels,
    attendant_list,
    attendant_preference_get,
    handoff_latest_transfer,
    message_list,
    queue_list,
    queue_summary,
    queue_wait_levels,
    seen_marks,
    ticket_get_for_user,
    user_is_attendant,
)
from ..sending import message_send_response, wants_json
from .filters import AttendantFilter, StatusFilter, UnreadFilter
from .formatting import duration_display, ticket_wait, user_display
from .forms import PhoneTicketForm, StatusChangeForm, TransferForm

admin.site.site_header = _("Atende Chat — IPM")
admin.site.site_title = _("Atende Chat")
admin.site.index_title = _("Administração")

post_only = method_decorator(require_POST)

#: A search term made only of digits and the punctuation of a CPF/CNPJ ("123.456.789-09").
DOCUMENT_OR_NUMBER = re.compile(r"[\d.\-/\s]+")
#: Longest number that still fits the ticket's bigint key.
NUMBER_MAX_DIGITS = 18
QUEUE_FILTER_INVALID = _("Um filtro ou parâmetro da fila não é válido; a fila é mostrada sem ele.")
#: Fewer digits than this would match almost every CPF/CNPJ.
DOCUMENT_MIN_DIGITS = 3
#: A refusal shown on the conversation page again, with the status code it deserves.
REFUSAL_STATUS = {NotAllowed: 403, TicketClosed: 409, TransitionNotAllowed: 409, RateLimited: 429}


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(AttendancePeriod)
class AttendancePeriodAdmin(admin.ModelAdmin):
    list_display = ["weekday", "starts_at", "ends_at"]


@admin.register(QueueSettings)
class QueueSettingsAdmin(admin.ModelAdmin):
    """One row: the wait levels of the queue ("atenção", "atrasado"); without it, the defaults apply."""

    list_display = ["__str__", "attention_minutes", "overdue_minutes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not QueueSettings.objects.exists()


#: The text beside a wait past a threshold, so the level is read, not only seen in colour.
WAIT_LEVEL_TEXT = {"attention": _("atenção"), "overdue": _("atrasado")}
WAIT_LEVEL_CLASS = {"attention": "queue-attention", "overdue": "queue-overdue"}


def wait_cell(ticket: Ticket, *, now, levels: WaitLevels) -> str:
    shown = duration_display(ticket_wait(ticket, now=now))
    level = levels.level(ticket, now=now)
    if level is None:
        return shown
    return format_html('<span class="{}">{} ({})</span>', WAIT_LEVEL_CLASS[level], shown, WAIT_LEVEL_TEXT[level])


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    change_list_template = "admin/tickets/ticket/change_list.html"
    conversation_template = "admin/tickets/ticket/conversation.html"
    phone_template = "admin/tickets/ticket/register_phone.html"
    conclude_template = "admin/tickets/ticket/conclude_confirm.html"

    list_display = [
        "number",
        "status",
        "module",
        "entity",
        "requester",
        "channel_label",
        "last_message",
        # "Espera" comes here, from get_list_display (it needs the page's wait levels).
        "attendant_name",
        "unread_marker",
        # "Ações" comes last, from get_list_display (tickets.policy asks who is looking).
    ]
    list_display_links = ["number"]
    list_filter = [StatusFilter, "module", "entity", "channel", AttendantFilter, UnreadFilter]
    # Queue order (priority, then age) is the only order: a fair queue is not re-sortable (B4).
    ordering = ["priority", "opened_at", "id"]
    sortable_by = ()
    search_fields = ["requester__name"]
    search_help_text = _("Número do atendimento, nome do solicitante ou CPF/CNPJ (com ou sem pontuação).")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = None

    # --- permissions: only attendants (and IPM administrators) see tickets at all -------------

    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_is_attendant(user=request.user) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return user_is_attendant(user=request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return user_is_attendant(user=request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return user_is_attendant(user=request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A ticket is a record of what was said; nobody deletes it from the admin.
        return False

    # --- the queue --------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest):
        # queue_list() already joins what the row shows; the attendant's name may come from their person.
        return queue_list().select_related("attendant__person")

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(requester__name__icontains=term)
        if DOCUMENT_OR_NUMBER.fullmatch(term):
            digits = only_digits(term)
            if digits and len(digits) <= NUMBER_MAX_DIGITS:
                condition |= Q(pk=int(digits))
            if len(digits) >= DOCUMENT_MIN_DIGITS:
                condition |= Q(requester__document__startswith=digits)
        return queryset.filter(condition), False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # Django answers a filter it cannot apply with a redirect to "?e=1" and then a page titled
        # "Erro no banco de dados": say what happened and show the queue without the bad filter.
        if ERROR_FLAG in request.GET:
            messages.error(request, QUEUE_FILTER_INVALID)
            return HttpResponseRedirect(self._queue_url())
        if user_is_attendant(user=request.user):
            summary = queue_summary(user=request.user)
            extra_context = {
                **(extra_context or {}),
                "title": gettext("Fila de atendimento"),
                "can_take_next": self.has_change_permission(request),
                "console": attendant_preference_get(user=request.user),
                "summary": summary,
                "available_count": presence_available_count(),
                "summary_display": {
                    key: duration_display(summary[key])
                    for key in ("longest_wait", "average_wait", "average_first_response")
                },
            }
        return super().changelist_view(request, extra_context)

    def get_list_display(self, request: HttpRequest):
        # The wait levels are read once per page (one query), not once per row.
        levels = queue_wait_levels()
        now = timezone.now()

        @admin.display(description=_("Espera"))
        def waiting_time(ticket: Ticket) -> str:
            # Past "atrasado" is routing's overdue mark: the same threshold alerts the attendants on-line.
            return wait_cell(ticket, now=now, levels=levels)

        user = request.user

        @admin.display(description=_("Ações"), empty_value="")
        def row_actions(ticket: Ticket) -> str:
            # "Assumir" where tickets.policy lets this attendant take it: the rule the service applies.
            if not policy_decide(user=user, ticket=ticket, action=Action.TAKE):
                return ""
            # The changelist form already carries the CSRF token; the button only redirects it.
            return format_html(
                '<button type="submit" class="button take-button" formaction="{}" formmethod="post">{}</button>',
                reverse("admin:tickets_ticket_take", args=[ticket.pk]),
                gettext("Assumir"),
            )

        columns = list(super().get_list_display(request))
        columns.insert(columns.index("attendant_name"), waiting_time)
        columns.append(row_actions)
        return columns

    @admin.display(description=_("Número"))
    def number(self, ticket: Ticket) -> int:
        return ticket.number

    @admin.display(description=_("Canal"))
    def channel_label(self, ticket: Ticket) -> str:
        return format_html(
            '<span class="queue-channel queue-channel-{}">{}</span>', ticket.channel, ticket.get_channel_display()
        )

    @admin.display(description=_("Última mensagem"), empty_value="\u2014")
    def last_message(self, ticket: Ticket) -> str | None:
        """Whose turn it is, then the start of the last message. One cell, not two: each cell of a changelist
        costs Django's generic rendering, a hundred times a page."""
        body = getattr(ticket, "preview_body", None)
        turn = self._turn(ticket)
        if not body and not turn:
            return None
        if body and ticket.preview_kind == Message.Kind.FILES:
            body = gettext(body)  # a fixed line ("O usuário enviou um arquivo."), in the reader's language
        text = Truncator(" ".join(body.split())).chars(PREVIEW_CHARS) if body else ""
        return format_html('{}<span class="queue-preview">{}</span>', turn, text)

    @staticmethod
    def _turn(ticket: Ticket) -> str:
        """Whose turn it is, from who wrote last ("Aguardando Retorno Cliente" counts as the attendant's)."""
        if ticket.is_closed:
            return ""
        if ticket.last_attendant_message_id > ticket.last_requester_message_id:
            return format_html('<span class="queue-turn queue-turn-requester">{}</span>', gettext("Aguardando cliente"))
        return format_html('<span class="queue-turn queue-turn-attendant">{}</span>', gettext("Aguardando atendente"))

    @admin.display(description=_("Atendente"))
    def attendant_name(self, ticket: Ticket) -> str:
        return user_display(ticket.attendant)

    @admin.display(description=_("Não lida"), empty_value="")
    def unread_marker(self, ticket: Ticket) -> str:
        if not ticket.unread_for_attendant:
            return ""
        return format_html(
            '<span class="unread-marker" title="{}">{}</span>', gettext("Mensagem não lida"), gettext("Não lida")
        )

    # --- URLs of the actions ------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("atender-proximo/", wrap(self.take_next_view), name="tickets_ticket_take_next"),
            path("console/som/", wrap(self.sound_view), name="tickets_ticket_console_sound"),
            path("<int:number>/assumir/", wrap(self.take_view), name="tickets_ticket_take"),
            path("<int:number>/transferir/", wrap(self.transfer_view), name="tickets_ticket_transfer"),
            path("<int:number>/assumir-de-colega/", wrap(self.take_over_view), name="tickets_ticket_take_over"),
            path(
                "<int:number>/solicitar-transferencia/",
                wrap(self.request_transfer_view),
                name="tickets_ticket_request_transfer",
            ),
            path("<int:number>/situacao/", wrap(self.status_view), name="tickets_ticket_status"),
            path("<int:number>/nota/", wrap(self.note_view), name="tickets_ticket_note"),
            *super().get_urls(),
        ]

    def _ticket_for_action(self, request: HttpRequest, number: int) -> Ticket:
        if not self.has_change_permission(request):
            raise PermissionDenied
        return ticket_get_for_user(user=request.user, number=number)

    def _ticket_url(self, ticket: Ticket) -> str:
        return reverse("admin:tickets_ticket_change", args=[ticket.pk])

    def _queue_url(self) -> str:
        return reverse("admin:tickets_ticket_changelist")

    def _refused(self, request: HttpRequest, error: ApplicationError, url: str) -> HttpResponseRedirect:
        messages.error(request, error.message)
        return HttpResponseRedirect(url)

    @staticmethod
    def _form_error(form) -> str:
        return next(iter(form.errors.values()))[0]

    def _refused_here(self, request: HttpRequest, ticket: Ticket, message: str, *, status: int = 400, **kept):
        """The conversation again with the refusal, its status code, and what was typed (nothing saved)."""
        messages.error(request, message)
        return self._conversation(request, ticket, status=status, **kept)

    def _refused_error(self, request: HttpRequest, ticket: Ticket, error: ApplicationError, **kept):
        return self._refused_here(request, ticket, error.message, status=REFUSAL_STATUS.get(type(error), 400), **kept)

    @post_only
    def sound_view(self, request: HttpRequest) -> HttpResponse:
        """The console's sound on or off, for this attendant: JSON for console.js, a redirect for the form."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        preference = services.attendant_sound_set(user=request.user, sound=request.POST.get("sound") == "on")
        if wants_json(request):
            return JsonResponse({"sound": preference.sound})
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = self._queue_url()
        return HttpResponseRedirect(target)

    @post_only
    def take_next_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            ticket = services.ticket_take_next(attendant=request.user)
        except ApplicationError as error:
            return self._refused(request, error, self._queue_url())
        messages.success(request, gettext("Você assumiu o atendimento {number}.").format(number=ticket.number))
        return HttpResponseRedirect(self._ticket_url(ticket))

    @post_only
    def take_view(self, request: HttpRequest, number: int) -> HttpResponse:
        ticket = self._ticket_for_action(request, number)
        try:
            services.ticket_take(ticket=ticket, attendant=request.user)
        except ApplicationError as error:
            return self._refused(request, error, self._queue_url())
        messages.success(request, gettext("Você assumiu o atendimento {number}.").format(number=ticket.number))
        return HttpResponseRedirect(self._ticket_url(ticket))

    @post_only
    def transfer_view(self, request: HttpRequest, number: int) -> HttpResponse:
        ticket = self._ticket_for_action(request, number)
        form = TransferForm(request.POST)
        note = request.POST.get("note", "")
        if not form.is_valid():
            return self._refused_here(request, ticket, self._form_error(form), note=note)
        to = form.cleaned_data["to"]
        try:
            services.ticket_transfer(ticket=ticket, attendant=request.user, to=to, note=note)
        except ApplicationError as error:
            return self._refused_error(request, ticket, error, note=note)
        messages.success(
            request,
            gettext("Atendimento {number} transferido para {name}.").format(
                number=ticket.number, name=user_display(to)
            ),
        )
        return HttpResponseRedirect(self._queue_url())

    @post_only
    def take_over_view(self, request: HttpRequest, number: int) -> HttpResponse:
        ticket = self._ticket_for_action(request, number)
        try:
            services.ticket_take_over(ticket=ticket, attendant=request.user)
        except ApplicationError as error:
            return self._refused_error(request, ticket, error)
        messages.success(request, gettext("Você assumiu o atendimento {number}.").format(number=ticket.number))
        return HttpResponseRedirect(self._ticket_url(ticket))

    @post_only
    def request_transfer_view(self, request: HttpRequest, number: int) -> HttpResponse:
        ticket = self._ticket_for_action(request, number)
        try:
            services.ticket_transfer_request(ticket=ticket, attendant=request.user)
        except ApplicationError as error:
            return self._refused_error(request, ticket, error)
        messages.success(
            request,
            gettext("Pedido de transferência enviado a {name}.").format(name=user_display(ticket.attendant)),
        )
        return HttpResponseRedirect(self._ticket_url(ticket))

    @post_only
    def status_view(self, request: HttpRequest, number: int) -> HttpResponse:
        ticket = self._ticket_for_action(request, number)
        form = StatusChangeForm(request.POST)
        if not form.is_valid():
            return self._refused_here(request, ticket, self._form_error(form))
        status = form.cleaned_data["status"]
        scheduled_for = form.scheduled_for() if status == Status.AGENDADO else None
        if status == Status.CONCLUIDO and not form.cleaned_data["confirmed"]:
            # Nothing changes yet: the page says what concluding does and asks (no script needed).
            decision = policy_decide(user=request.user, ticket=ticket, action=Action.CONCLUDE)
            if not decision:
                return self._refused_here(
                    request, ticket, decision.reason, status=REFUSAL_STATUS.get(decision.error, 400)
                )
            return self._conclude_confirmation(request, ticket)
        try:
            ticket = services.ticket_status_change(
                ticket=ticket, attendant=request.user, status=status, scheduled_for=scheduled_for
            )
        except ApplicationError as error:
            return self._refused(request, error, self._ticket_url(ticket))
        messages.success(
            request,
            gettext("Situação do atendimento {number} alterada para “{status}”.").format(
                number=ticket.number, status=ticket.get_status_display()
            ),
        )
        return HttpResponseRedirect(self._ticket_url(ticket))

    def _conclude_confirmation(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Concluir o atendimento {number}?").format(number=ticket.number),
            "subtitle": None,
            "ticket": ticket,
            "concluido": Status.CONCLUIDO.value,
        }
        return TemplateResponse(request, self.conclude_template, context)

    @post_only
    def note_view(self, request: HttpRequest, number: int) -> HttpResponse:
        """An internal note (issue 14): refused input is shown on the page again, kept in the box."""
        ticket = self._ticket_for_action(request, number)
        note = request.POST.get("note", "")
        try:
            services.ticket_note_create(ticket=ticket, user=request.user, body=note)
        except ApplicationError as error:
            status = 429 if isinstance(error, RateLimited) else 403 if error.code == "not_allowed" else 400
            return self._conversation(request, ticket, note_body=note, note_error=error.message, status=status)
        messages.success(request, gettext("Nota interna gravada. Só os atendentes a veem."))
        return HttpResponseRedirect(self._ticket_url(ticket) + "#note-form")

    # --- the conversation (the ticket's change page) ------------------------------------------

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        ticket = ticket_get_for_user(user=request.user, number=object_id)
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            if wants_json(request):
                return message_send_response(request, ticket=ticket)
            body = request.POST.get("body", "")
            try:
                services.ticket_message_create(
                    ticket=ticket, user=request.user, body=body, files=request.FILES.getlist("files")
                )
            except ApplicationError as error:
                messages.error(request, error.message)
                # Too many messages a minute is 429, as on the staff pages: the client may try again later.
                status = 429 if isinstance(error, RateLimited) else 400
                return self._conversation(request, ticket, body=body, status=status)
            return HttpResponseRedirect(self._ticket_url(ticket))
        # Only the holder's reading (or anyone's, while nobody holds it) reads the requester (tickets.policy).
        services.ticket_mark_read(ticket=ticket, user=request.user)
        services.handoffs_mark_seen(ticket=ticket, user=request.user)
        return self._conversation(request, ticket)

    def _conversation(
        self,
        request: HttpRequest,
        ticket: Ticket,
        *,
        body: str = "",
        note: str = "",
        status: int = 200,
        note_body: str = "",
        note_error: str = "",
    ):
        dialog = message_list(ticket=ticket, include_notes=True)
        # Every control follows tickets.policy; without the admin's change permission there are none.
        actions = ticket_actions(user=request.user, ticket=ticket) if self.has_change_permission(request) else {}
        allowed = {name for name, decision in actions.items() if decision}
        handoff = handoff_latest_transfer(ticket=ticket)
        mine = ticket.attendant_id == request.user.pk
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Atendimento {number}").format(number=ticket.number),
            "subtitle": None,
            "ticket": ticket,
            "dialog": dialog,
            "last_id": dialog[-1].pk if dialog else 0,
            "contacts": list(ticket.requester.contacts.all()),
            "attendant_display": user_display(ticket.attendant),
            "wait_display": duration_display(ticket_wait(ticket, now=timezone.now())),
            "first_response_display": duration_display(
                ticket.first_response_at - ticket.opened_at if ticket.first_response_at else None
            ),
            "actions": allowed,
            "held_by_other": ticket.attendant_id not in (None, request.user.pk),
            "console": attendant_preference_get(user=request.user),
            "console_mine": mine,
            "body": body,
            "note": note,
            "message_max_length": services.MESSAGE_MAX_LENGTH,
            "note_max_length": services.HANDOFF_NOTE_MAX_LENGTH,
            "attendants": self._transfer_choices(request, ticket) if "transfer" in allowed else [],
            "handoff": handoff,
            "handoff_names": (user_display(handoff.by), user_display(handoff.to)) if handoff else None,
            "next_statuses": [(value, Status(value).label) for value in attendant_statuses(current=ticket.status)],
            "can_note": "note" in allowed,
            "note_body": note_body,
            "note_error": note_error,
            "internal_note_max_length": services.NOTE_MAX_LENGTH,
            "seen": seen_marks(ticket=ticket, own="attendant"),
            # The holder's user row has its person loaded already (attendant_display): no query for the name.
            "canned_replies": (
                canned_reply_options(user=ticket.attendant if mine else request.user, ticket=ticket)
                if "reply" in allowed
                else []
            ),
            "status_form": StatusChangeForm(),
            "agendado": Status.AGENDADO.value,
        }
        return TemplateResponse(request, self.conversation_template, context, status=status)

    @staticmethod
    def _transfer_choices(request: HttpRequest, ticket: Ticket) -> list[tuple[int, str, bool]]:
        """(id, name, available): the available first; the absent listed as such, not choosable (two queries)."""
        users = [
            user
            for user in attendant_list().select_related("person")
            if user.pk not in (ticket.attendant_id, request.user.pk)
        ]
        available = presence_available_ids(user_ids=[user.pk for user in users])
        choices = [(user.pk, user_display(user), user.pk in available) for user in users]
        return sorted(choices, key=lambda choice: not choice[2])

    # --- S22: a ticket that came by phone -----------------------------------------------------

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PhoneTicketForm(request.POST or None, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            try:
                ticket = services.ticket_register_phone(
                    attendant=request.user,
                    requester=form.cleaned_data["requester"],
                    module_id=form.cleaned_data["module"].pk,
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    gettext("Atendimento {number} registrado (telefone). Ele entra na fila.").format(
                        number=ticket.number
                    ),
                )
                return HttpResponseRedirect(self._ticket_url(ticket))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Registrar atendimento por telefone"),
            "subtitle": None,
            "form": form,
            "support_phone": settings.SUPPORT_PHONE,
            "media": self.media + form.media,
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, self.phone_template, context, status=status)
