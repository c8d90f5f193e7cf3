"""Refusals of the satisfaction survey; the texts are what the staff member reads."""

from django.utils.translation import gettext_noop

from atende_chat.errors import ApplicationError

SCORE_INVALID = gettext_noop("Escolha uma nota de 1 a 5.")
COMMENT_TOO_LONG = gettext_noop("O comentário deve ter no máximo {limit} caracteres.")
NOT_CONCLUDED = gettext_noop("Este atendimento ainda não foi concluído; a avaliação fica disponível após a conclusão.")
EXPIRED = gettext_noop("O prazo para avaliar este atendimento terminou.")
LINK_INVALID = gettext_noop(
    "Este link de avaliação não é válido. Confira se ele foi copiado inteiro do e-mail, ou avalie o atendimento "
    "pela janela do chat."
)
LINK_EXPIRED = gettext_noop("Este link de avaliação expirou: o prazo para avaliar o atendimento é de {days} dias.")


class SurveyError(ApplicationError):
    code = "invalid"


class LinkInvalid(SurveyError):
    code = "link-invalid"


class LinkExpired(SurveyError):
    code = "link-expired"
