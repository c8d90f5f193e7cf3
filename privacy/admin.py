"""Privacy in the admin: the read-only access log, legal holds, retention per entity, the data subjects.

Thin: exports and anonymisations go through privacy.services, which decide who may and refuse
with a Portuguese message; nothing here recomputes those rules.
"""

import json

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from atende_chat.errors import ApplicationError

from . import services
from .models import AccessLog, DataSubject, EntityRetention, LegalHold, PersonAnonymisation


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence; it leaves only by age (privacy.log_purge)."""

    list_display = ["at", "actor", "action", "person_code", "ticket_number"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["=person_code", "=ticket_number", "actor__username"]
    date_hierarchy = "at"
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    list_display = ["reason", "person", "ticket", "created_at", "created_by"]
    list_select_related = ["person", "ticket", "created_by"]
    raw_id_fields = ["person", "ticket"]
    search_fields = ["reason", "=person__code", "=ticket__id"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(EntityRetention)
class EntityRetentionAdmin(admin.ModelAdmin):
    list_display = ["entity", "tickets_days", "files_days"]
    list_select_related = ["entity"]


@admin.register(DataSubject)
class DataSubjectAdmin(admin.ModelAdmin):
    """The people, masked, with two actions: export their data (JSON) and anonymise them."""

    list_display = ["code", "name", "cpf", "entity", "anonymised", "held"]
    list_select_related = ["entity"]
    list_filter = ["entity"]
    search_fields = ["name", "=code"]
    fields = ["code", "name", "cpf", "entity"]
    readonly_fields = ["code", "name", "cpf", "entity"]
    actions = ["export_action", "anonymise_action"]
    anonymise_template = "admin/privacy/datasubject/anonymise_confirm.html"

    def _may(self, request: HttpRequest) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.has_perm("privacy.export_person") or user.has_perm("privacy.anonymise_person"))
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("privacy.export_person")

    def has_anonymise_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("privacy.anonymise_person")

    def get_queryset(self, request: HttpRequest):
        holds = LegalHold.objects.filter(Q(person=OuterRef("pk")) | Q(ticket__requester=OuterRef("pk")))
        return (
            super()
            .get_queryset(request)
            .annotate(
                is_held=Exists(holds),
                is_anonymised=Exists(PersonAnonymisation.objects.filter(person=OuterRef("pk"))),
            )
        )

    @admin.display(description=_("CPF/CNPJ"))
    def cpf(self, person: DataSubject) -> str:
        return person.document_masked or "—"

    @admin.display(description=_("anonimizada"), boolean=True)
    def anonymised(self, person: DataSubject) -> bool:
        return person.is_anonymised

    @admin.display(description=_("retenção legal"), boolean=True)
    def held(self, person: DataSubject) -> bool:
        return person.is_held

    @admin.action(description=_("Exportar os dados das pessoas selecionadas (JSON)"), permissions=["export"])
    def export_action(self, request: HttpRequest, queryset):
        try:
            exported = services.person_export(
                user=request.user, people=list(queryset.select_related("entity", "user").order_by("code"))
            )
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(
            json.dumps({"pessoas": exported}, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="dados-pessoais-{stamp}.json"'
        return response

    @admin.action(description=_("Anonimizar as pessoas selecionadas"), permissions=["anonymise"])
    def anonymise_action(self, request: HttpRequest, queryset):
        people = list(queryset.select_related("entity").order_by("code"))
        if request.POST.get("confirm") != "sim":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Anonimizar pessoas"),
                "subtitle": None,
                "people": people,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, self.anonymise_template, context)
        done = 0
        for person in people:
            try:
                services.person_anonymise(user=request.user, person_id=person.pk)
            except ApplicationError as error:
                self.message_user(request, f"{person.code}: {error.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d pessoa anonimizada.", "%(count)d pessoas anonimizadas.", done) % {"count": done},
                messages.SUCCESS,
            )
        return None
