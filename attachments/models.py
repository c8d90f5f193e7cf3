"""Attachments: files exchanged in a ticket, kept in private storage under random names (S10, S11, B6)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never derives from the user's name for the file.
    return f"attachments/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    message = models.ForeignKey(
        "tickets.Message", verbose_name=_("mensagem"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("arquivo"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("nome original"), max_length=255)
    content_type = models.CharField(_("tipo de conteúdo"), max_length=100)
    size = models.PositiveIntegerField(_("tamanho (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enviado por"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("enviado em"), auto_now_add=True)

    class Meta:
        verbose_name = _("anexo")
        verbose_name_plural = _("anexos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
