"""Canned replies ("Respostas prontas", issue 14): the variables, their check at save, their filling.

A text may use {nome}, {primeiro_nome}, {numero}, {modulo} and {atendente}; any other name in braces,
an unclosed brace, markup, an empty or too long text is refused with a message saying which.
"""

import string

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, pgettext_lazy

from people.text import has_visible_text

from .models import Ticket

CANNED_TITLE_MAX_LENGTH = 80
CANNED_BODY_MAX_LENGTH = 2000
#: The variables a canned reply may use (the admin's help text lists them from here), each also known by
#: its name in the reader's language: an English page lists and accepts {name}, {first_name}...
VARIABLE_NAMES = {
    "nome": pgettext_lazy("variável de resposta pronta", "nome"),
    "primeiro_nome": pgettext_lazy("variável de resposta pronta", "primeiro_nome"),
    "numero": pgettext_lazy("variável de resposta pronta", "numero"),
    "modulo": pgettext_lazy("variável de resposta pronta", "modulo"),
    "atendente": pgettext_lazy("variável de resposta pronta", "atendente"),
}
CANNED_VARIABLES = tuple(VARIABLE_NAMES)


def _shown_name(name: str) -> str:
    return str(VARIABLE_NAMES[name])


def variable_aliases() -> dict[str, str]:
    """Every accepted name (in any language of the site) -> the variable it stands for."""
    aliases = {name: name for name in CANNED_VARIABLES}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            aliases.update({_shown_name(name): name for name in CANNED_VARIABLES})
    return aliases


TITLE_EMPTY = gettext_noop("Escreva o título da resposta pronta.")
TITLE_TOO_LONG = gettext_noop("O título da resposta pronta deve ter no máximo {limit} caracteres.")
BODY_EMPTY = gettext_noop("Escreva o texto da resposta pronta.")
BODY_TOO_LONG = gettext_noop("O texto da resposta pronta deve ter no máximo {limit} caracteres.")
MARKUP_REFUSED = gettext_noop("A resposta pronta não pode conter marcação (HTML); escreva apenas texto.")
UNKNOWN_VARIABLE = gettext_noop("Variável desconhecida: {{{name}}}. Use apenas: {known}.")
BAD_BRACES = gettext_noop(
    "Chaves sem par no texto. Use as variáveis assim: {known}; para uma chave literal escreva {{{{ ou }}}}."
)


def variables_display() -> str:
    return ", ".join("{" + _shown_name(name) + "}" for name in CANNED_VARIABLES)


def canned_text_check(*, title: str, body: str) -> None:
    """Raise ValidationError (per field, in the active language) for what cannot be saved."""
    from .services import MARKUP

    errors: dict[str, str] = {}
    title, body = (title or "").strip(), (body or "").strip()
    if not has_visible_text(title):
        errors["title"] = gettext(TITLE_EMPTY)
    elif len(title) > CANNED_TITLE_MAX_LENGTH:
        errors["title"] = gettext(TITLE_TOO_LONG).format(limit=CANNED_TITLE_MAX_LENGTH)
    elif MARKUP.search(title):
        errors["title"] = gettext(MARKUP_REFUSED)
    if not has_visible_text(body):
        errors["body"] = gettext(BODY_EMPTY)
    elif len(body) > CANNED_BODY_MAX_LENGTH:
        errors["body"] = gettext(BODY_TOO_LONG).format(limit=CANNED_BODY_MAX_LENGTH)
    elif MARKUP.search(body):
        errors["body"] = gettext(MARKUP_REFUSED)
    else:
        try:
            fields = [
                (name, spec, conv) for _text, name, spec, conv in string.Formatter().parse(body) if name is not None
            ]
        except ValueError:
            errors["body"] = gettext(BAD_BRACES).format(known=variables_display())
        else:
            # "{nome:>9999}" or "{nome!r}" would be more than a variable: only the bare name is one.
            known = variable_aliases()
            unknown = next(
                (
                    name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
                    for name, spec, conv in fields
                    if name not in known or spec or conv
                ),
                None,
            )
            if unknown is not None:
                errors["body"] = gettext(UNKNOWN_VARIABLE).format(name=unknown, known=variables_display())
    if errors:
        raise ValidationError(errors)


def canned_values(*, ticket: Ticket, attendant: AbstractBaseUser) -> dict[str, str]:
    from .services import user_display_name

    name = ticket.requester.name
    values = {
        "nome": name,
        "primeiro_nome": name.split()[0] if name.split() else name,
        "numero": str(ticket.number),
        "modulo": ticket.module.name,
        "atendente": user_display_name(attendant),
    }
    return {alias: values[name] for alias, name in variable_aliases().items()}


def canned_fill(body: str, values: dict[str, str]) -> str:
    """The text with its variables filled; a text saved before a variable was dropped keeps the braces."""
    try:
        return body.format_map(_Keep(values))
    except (ValueError, IndexError):
        return body


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def canned_reply_options(*, user: AbstractBaseUser, ticket: Ticket) -> list[dict[str, str]]:
    """The replies offered on a ticket's page, filled for it: shared and the user's own, for any module
    or the ticket's. One query."""
    from django.db.models import Q

    from .models import CannedReply

    values = canned_values(ticket=ticket, attendant=user)
    replies = CannedReply.objects.filter(Q(owner__isnull=True) | Q(owner=user)).filter(
        Q(module__isnull=True) | Q(module_id=ticket.module_id)
    )
    return [
        {"id": str(reply.pk), "title": reply.title, "text": canned_fill(reply.body, values)}
        for reply in replies.order_by("title", "id").only("title", "body")
    ]


def user_may_manage_canned_reply(*, user: AbstractBaseUser, reply) -> bool:
    """Administrators keep every reply (shared ones too); an attendant only their own."""
    from .selectors import user_is_attendant

    if user.is_active and user.is_superuser:
        return True
    return user_is_attendant(user=user) and reply.owner_id is not None and reply.owner_id == user.pk


def canned_reply_save(*, reply, by: AbstractBaseUser):
    """Create or change a reply: an attendant's reply is always their own; validated, then saved."""
    from . import errors

    if not (by.is_active and by.is_superuser):
        reply.owner = by
    if not user_may_manage_canned_reply(user=by, reply=reply):
        raise errors.NotAllowed(CANNED_NOT_ALLOWED)
    reply.full_clean()
    reply.save()
    return reply


def canned_reply_delete(*, reply, by: AbstractBaseUser) -> None:
    from . import errors

    if not user_may_manage_canned_reply(user=by, reply=reply):
        raise errors.NotAllowed(CANNED_NOT_ALLOWED)
    reply.delete()


CANNED_NOT_ALLOWED = gettext_noop(
    "Só administradores alteram as respostas prontas compartilhadas e as de outros atendentes."
)
