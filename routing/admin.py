"""Admin of routing: administrators set each attendant's capacity; attendants get their bar's views
(availability, offers) as admin URLs, so the admin's own login and staff checks come first."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from atende_chat.errors import ApplicationError
from tickets.admin.formatting import user_display
from tickets.selectors import handoff_unseen_list, user_is_attendant

from . import services
from .models import AttendantState
from .selectors import attendant_state_get, offer_pending_list


class CapacityListForm(forms.ModelForm):
    """A row of the capacity list: its field is named after the attendant (a column header is no <label>)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("capacity")
        # The formset's empty form (built for its media) has no attendant yet.
        if field is not None and self.instance.user_id is not None:
            field.widget.attrs["aria-label"] = f"{capfirst(field.label)}: {self.instance.user}"


@admin.register(AttendantState)
class AttendantStateAdmin(admin.ModelAdmin):
    list_display = ["user", "capacity", "available", "idle_since"]
    list_editable = ["capacity"]
    fields = ["user", "capacity"]
    readonly_fields: list[str] = []
    search_fields = ["user__username", "user__first_name", "user__last_name"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=CapacityListForm, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ["user"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        # The form validated the number (1..50); the service sets it and routes again with the new room.
        services.attendant_capacity_set(user=obj.user, capacity=obj.capacity)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("painel/", wrap(self.bar_view), name="routing_bar"),
            path("disponibilidade/", wrap(self.availability_view), name="routing_availability"),
            path("ofertas/<int:offer_id>/aceitar/", wrap(self.accept_view), name="routing_offer_accept"),
            *super().get_urls(),
        ]

    @staticmethod
    def _attendant(request: HttpRequest) -> None:
        if not user_is_attendant(user=request.user):
            raise PermissionDenied

    @method_decorator(require_GET)
    @method_decorator(never_cache)
    def bar_view(self, request: HttpRequest) -> HttpResponse:
        """The attendant's bar (availability, offers): fetched by static/js/routing.js into every admin page."""
        self._attendant(request)
        state = attendant_state_get(user=request.user)
        notices = [(handoff, user_display(handoff.by)) for handoff in handoff_unseen_list(user=request.user)]
        context = {"state": state, "offers": offer_pending_list(user=request.user), "notices": notices}
        return TemplateResponse(request, "routing/_attendant_bar_body.html", context)

    @method_decorator(require_POST)
    def availability_view(self, request: HttpRequest) -> HttpResponse:
        self._attendant(request)
        available = request.POST.get("available") == "1"
        try:
            services.attendant_availability_set(user=request.user, available=available)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("Você está disponível.") if available else gettext("Você está ausente."))
        return HttpResponseRedirect(self._back(request))

    @method_decorator(require_POST)
    def accept_view(self, request: HttpRequest, offer_id: int) -> HttpResponse:
        self._attendant(request)
        try:
            ticket = services.offer_accept(offer_id=offer_id, user=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(reverse("admin:tickets_ticket_changelist"))
        messages.success(request, gettext("Você assumiu o atendimento {number}.").format(number=ticket.number))
        return HttpResponseRedirect(reverse("admin:tickets_ticket_change", args=[ticket.pk]))

    @staticmethod
    def _back(request: HttpRequest) -> str:
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return reverse("admin:tickets_ticket_changelist")
