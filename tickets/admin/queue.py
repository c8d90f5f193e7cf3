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
from ..errors import RateLimited
from ..models import AttendancePeriod, Message, Module, QueueSettings, Status, Ticket
from ..selectors import (
    PREVIEW_CHARS,
    WaitLevels,
    attendant_list,
    attendant_preference_get,
    message_list,
    queue_list,
    queue_summary,
    queue_wait_levels,
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
        "row_actions",
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

        columns = list(super().get_list_display(request))
        columns.insert(columns.index("attendant_name"), waiting_time)
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

    @admin.display(description=_("Ações"), empty_value="")
    def row_actions(self, ticket: Ticket) -> str:
        if not ticket.is_waiting or ticket.attendant_id is not None:
            return ""
        # The changelist form already carries the CSRF token; the button only redirects it.
        return format_html(
            '<button type="submit" class="button take-button" formaction="{}" formmethod="post">{}</button>',
            reverse("admin:tickets_ticket_take", args=[ticket.pk]),
            gettext("Assumir"),
        )

    # --- URLs of the actions ------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("atender-proximo/", wrap(self.take_next_view), name="tickets_ticket_take_next"),
            path("console/som/", wrap(self.sound_view), name="tickets_ticket_console_sound"),
            path("<int:number>/assumir/", wrap(self.take_view), name="tickets_ticket_take"),
            path("<int:number>/transferir/", wrap(self.transfer_view), name="tickets_ticket_transfer"),
            path("<int:number>/situacao/", wrap(self.status_view), name="tickets_ticket_status"),
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
        if not form.is_valid():
            messages.error(request, self._form_error(form))
            return HttpResponseRedirect(self._ticket_url(ticket))
        to = form.cleaned_data["to"]
        try:
            services.ticket_transfer(ticket=ticket, attendant=request.user, to=to)
        except ApplicationError as error:
            return self._refused(request, error, self._ticket_url(ticket))
        messages.success(
            request,
            gettext("Atendimento {number} transferido para {name}.").format(
                number=ticket.number, name=user_display(to)
            ),
        )
        return HttpResponseRedirect(self._queue_url())

    @post_only
    def status_view(self, request: HttpRequest, number: int) -> HttpResponse:
        ticket = self._ticket_for_action(request, number)
        form = StatusChangeForm(request.POST)
        if not form.is_valid():
            messages.error(request, self._form_error(form))
            return HttpResponseRedirect(self._ticket_url(ticket))
        status = form.cleaned_data["status"]
        scheduled_for = form.scheduled_for() if status == Status.AGENDADO else None
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
        # The attendant who holds the ticket (or anyone, while nobody does) has now read the requester.
        if ticket.attendant_id in (None, request.user.pk):
            services.ticket_mark_read(ticket=ticket, user=request.user)
        return self._conversation(request, ticket)

    def _conversation(self, request: HttpRequest, ticket: Ticket, *, body: str = "", status: int = 200):
        dialog = message_list(ticket=ticket)
        mine = ticket.attendant_id == request.user.pk
        free = ticket.attendant_id is None
        can_act = self.has_change_permission(request)
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
            "console": attendant_preference_get(user=request.user),
            "console_mine": mine,
            "can_reply": can_act and not ticket.is_closed and (mine or free),
            "can_take": can_act and not ticket.is_closed and not mine and free,
            "can_transfer": can_act and not ticket.is_closed and (mine or free or request.user.is_superuser),
            "can_change_status": can_act and not ticket.is_closed and (mine or free),
            "body": body,
            "message_max_length": services.MESSAGE_MAX_LENGTH,
            "attendants": [
                (user.pk, user_display(user))
                for user in attendant_list().select_related("person")
                if user.pk not in (ticket.attendant_id, request.user.pk)
            ],
            "next_statuses": [
                (value, Status(value).label)
                for value in Status.values
                if services.transition_allowed(current=ticket.status, target=value)
                and value not in services.REQUESTER_ONLY
            ],
            "status_form": StatusChangeForm(),
            "agendado": Status.AGENDADO.value,
        }
        return TemplateResponse(request, self.conversation_template, context, status=status)

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
