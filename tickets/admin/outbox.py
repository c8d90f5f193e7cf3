"""Admin of the transcript outbox: failed e-mails are visible and can be sent again."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from ..models import TranscriptOutbox
from ..transcript import transcript_outbox_resend

RESENT = gettext_noop("{count} e-mail(s) de transcrição enviado(s) novamente para a fila.")
NOTHING_TO_RESEND = gettext_noop("Nenhum dos e-mails selecionados estava pendente: os já enviados não são reenviados.")


class OutboxStateFilter(admin.SimpleListFilter):
    title = _("situação")
    parameter_name = "situacao"

    def lookups(self, request, model_admin):
        return [("enviado", _("Enviado")), ("pendente", _("Pendente")), ("falhou", _("Falhou"))]

    def queryset(self, request, queryset):
        if self.value() == "enviado":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "pendente":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
        if self.value() == "falhou":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=False)
        return queryset


@admin.register(TranscriptOutbox)
class TranscriptOutboxAdmin(admin.ModelAdmin):
    list_display = ["ticket", "state", "created_at", "sent_at", "attempts", "failed_at", "error_summary"]
    list_filter = [OutboxStateFilter]
    list_select_related = ["ticket__module"]
    search_fields = ["=ticket__id", "message_id"]
    readonly_fields = ["ticket", "message_id", "created_at", "sent_at", "attempts", "failed_at", "last_error"]
    fields = readonly_fields
    actions = ["resend"]

    @admin.display(description=_("situação"))
    def state(self, obj: TranscriptOutbox) -> str:
        if obj.sent_at:
            return gettext("Enviado")
        return gettext("Falhou") if obj.failed_at else gettext("Pendente")

    @admin.display(description=_("último erro"))
    def error_summary(self, obj: TranscriptOutbox) -> str:
        # The one error written by us is a Portuguese source text; SMTP errors stay as the server wrote them.
        return gettext(obj.last_error)[:120]

    @admin.action(description=_("Enviar novamente"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[TranscriptOutbox]) -> None:
        count = transcript_outbox_resend(outbox_ids=queryset.values_list("pk", flat=True))
        if count:
            self.message_user(request, gettext(RESENT).format(count=count), messages.SUCCESS)
        else:
            self.message_user(request, gettext(NOTHING_TO_RESEND), messages.WARNING)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TranscriptOutbox | None = None) -> bool:
        return False
