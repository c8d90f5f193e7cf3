"""Admin of the canned replies ("Respostas prontas", issue 14): administrators keep the shared ones and
see all; an attendant sees the shared ones and keeps their own. Writes go through tickets/canned.py."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..canned import (
    CANNED_BODY_MAX_LENGTH,
    canned_reply_delete,
    canned_reply_save,
    user_may_manage_canned_reply,
    variables_display,
)
from ..errors import TicketError
from ..models import CannedReply
from ..selectors import user_is_attendant


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "body", "module", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" not in self.fields:
            return  # the read-only page of a shared reply (an attendant viewing it): no field to explain
        self.fields["body"].help_text = gettext(
            "Até {limit} caracteres, só texto. Variáveis: {variables} (nome do solicitante, primeiro nome, "
            "número do atendimento, módulo e seu nome)."
        ).format(limit=CANNED_BODY_MAX_LENGTH, variables=variables_display())


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    form = CannedReplyForm
    list_display = ["title", "scope", "module"]
    list_filter = ["module"]
    list_select_related = ["module", "owner"]
    search_fields = ["title", "body"]

    def _may_use(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or user_is_attendant(user=request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_use(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_use(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_use(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and not user_may_manage_canned_reply(user=request.user, reply=obj):
            return False
        return self._may_use(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and not user_may_manage_canned_reply(user=request.user, reply=obj):
            return False
        return self._may_use(request) and super().has_delete_permission(request, obj)

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(Q(owner__isnull=True) | Q(owner=request.user))

    def get_exclude(self, request: HttpRequest, obj=None):
        # An attendant's replies are their own: the owner is not theirs to choose.
        return [] if request.user.is_superuser else ["owner"]

    @admin.display(description=_("Uso"))
    def scope(self, reply: CannedReply) -> str:
        if reply.owner_id is None:
            return gettext("Compartilhada")
        return gettext("Pessoal ({name})").format(name=reply.owner.get_full_name() or reply.owner.get_username())

    def save_model(self, request: HttpRequest, obj: CannedReply, form, change: bool) -> None:
        try:
            canned_reply_save(reply=obj, by=request.user)
        except TicketError as error:
            raise PermissionDenied(error.message) from None

    def delete_model(self, request: HttpRequest, obj: CannedReply) -> None:
        try:
            canned_reply_delete(reply=obj, by=request.user)
        except TicketError as error:
            raise PermissionDenied(error.message) from None

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for reply in queryset:
            self.delete_model(request, reply)
