from atende_chat.errors import ApplicationError

TOO_MANY_FILES = "Envie no máximo {limit} arquivos por vez."


class AttachmentRejected(ApplicationError):
    """A file refused before anything is kept; the message names the file and the reason."""

    code = "attachment"
