"""The one base of the domain errors: services raise them, views turn them into messages."""

from django.utils.translation import gettext


class ApplicationError(Exception):
    """A refusal the user can understand, in the active language.

    ``message`` is a Portuguese source text (a module constant marked with gettext_noop), translated
    here, or a text already translated and formatted by the caller (``gettext(CONST).format(...)``).
    """

    code: str = ""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        # A lazy translation (str) or a gettext_noop constant: either way, the active language's text.
        message = gettext(str(message))
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message
