from django.utils.translation import gettext_noop

from atende_chat.errors import ApplicationError

CONTACTS_MISSING_CODE = "EST-000206"
CONTACTS_MISSING = gettext_noop(
    "Para utilizar o Chat de Atendimento On-line é necessário ter ao menos um endereço de e-mail e um "
    "telefone para contato em seu cadastro no sistema. Por favor, informe ao menos um endereço de e-mail e "
    "um telefone para contato e tente novamente."
)


class ContactsMissing(ApplicationError):
    """S5: the chat needs at least one e-mail and one phone."""

    code = CONTACTS_MISSING_CODE

    def __init__(self) -> None:
        super().__init__(CONTACTS_MISSING)
