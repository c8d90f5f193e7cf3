"""Refusals of the privacy services, in Portuguese (translated in the active language)."""

from django.utils.translation import gettext_noop

from atende_chat.errors import ApplicationError

UNDER_LEGAL_HOLD = gettext_noop(
    "Os dados de {name} estão sob retenção legal (na pessoa ou em um dos seus atendimentos): "
    "não podem ser exportados nem anonimizados enquanto a retenção existir. Nada foi alterado."
)
ALREADY_ANONYMISED = gettext_noop("Esta pessoa já foi anonimizada em {when}; nada mais foi alterado.")
NOT_ALLOWED = gettext_noop(
    "Você não tem permissão para exportar ou anonimizar pessoas da entidade {entity}. Nada foi alterado."
)
REVEAL_NOT_ALLOWED = gettext_noop("Você não tem permissão para ver o CPF completo e os contatos.")
ANONYMISED_NAME = gettext_noop("Pessoa anonimizada {code}")
REDACTED = gettext_noop("[removido]")
#: Stored texts (the same in every language) that replace the authors' names of an expired dialog.
RETENTION_AUTHORS = {"requester": gettext_noop("Solicitante"), "attendant": gettext_noop("Atendente")}
RETENTION_BODY = gettext_noop("[mensagem removida pela política de retenção de dados]")


class PrivacyError(ApplicationError):
    pass


class UnderLegalHold(PrivacyError):
    pass


class AlreadyAnonymised(PrivacyError):
    pass


class NotAllowed(PrivacyError):
    pass


REVEAL_TITLE = gettext_noop("CPF completo e contatos")
