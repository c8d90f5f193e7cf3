"""Filters of the attendants' queue: status (open ones by default) and attendant ("Meus atendimentos")."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import CLOSED_STATUSES, UNREAD_FOR_ATTENDANT, WAITING_STATUSES, Status
from ..selectors import attendant_list
from .formatting import user_display


class _ChoicesWithoutAll(admin.SimpleListFilter):
    """A filter whose choices are all explicit, so that its default can be one of them."""

    default: str | None = None

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class StatusFilter(_ChoicesWithoutAll):
    """By default the queue hides closed tickets, so waiting ones are not buried under years of history."""

    title = _("situação")
    parameter_name = "situacao"
    default = "abertos"

    def lookups(self, request, model_admin):
        return [
            ("abertos", _("Em aberto")),
            ("aguardando", _("Aguardando atendente")),
            *Status.choices,
            ("todos", _("Todos")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "abertos":
            return queryset.exclude(status__in=CLOSED_STATUSES)
        if value == "aguardando":
            return queryset.filter(status__in=WAITING_STATUSES)
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


class AttendantFilter(admin.SimpleListFilter):
    title = _("atendente")
    parameter_name = "atendente"

    def lookups(self, request, model_admin):
        return [
            ("meus", _("Meus atendimentos")),
            ("nenhum", _("Sem atendente")),
            *((str(user.pk), user_display(user)) for user in attendant_list().select_related("person")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "meus":
            return queryset.filter(attendant=request.user)
        if value == "nenhum":
            return queryset.filter(attendant__isnull=True)
        if value and value.isdigit():
            return queryset.filter(attendant_id=int(value))
        return queryset


class UnreadFilter(admin.SimpleListFilter):
    title = _("mensagens")
    parameter_name = "leitura"

    def lookups(self, request, model_admin):
        return [("nao-lidas", _("Com mensagem não lida"))]

    def queryset(self, request, queryset):
        if self.value() == "nao-lidas":
            return queryset.filter(UNREAD_FOR_ATTENDANT)
        return queryset
