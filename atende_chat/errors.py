"""The one base of the domain errors: services raise them, views turn them into messages."""


class ApplicationError(Exception):
    """A refusal the user can understand; ``message`` is shown as it is (Portuguese)."""

    code: str = ""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        message = str(message)  # a lazy translation is rendered in the language active where it is raised
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message
