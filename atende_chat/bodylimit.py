"""Request bodies are bounded before they are read (issue 15, point 1).

Each route has a body limit (``body_limit_for``): the upload routes (settings.UPLOAD_URL_NAMES)
take ATTACHMENT_REQUEST_MAX_BYTES, everything else REQUEST_MAX_BYTES. A body announced larger
(Content-Length) is refused with 413 before a byte of it is read; a chunked body is counted as it
arrives and refused the moment it passes the limit, and the server stops reading.

Two places enforce it, with the same limits and the same answer:

- ``BodyLimitMiddleware``, ASGI middleware around Django's HTTP app (asgi.py): for any ASGI server
  that streams the body to the application as it arrives.
- ``LimitedWebRequest``, for daphne (production and ``manage.py runserver``, which is daphne's):
  daphne (Twisted) reads the whole body, into a temporary file above 100 KB, before it calls the
  application at all, so a middleware would only see it too late. ``install_daphne_guard`` makes
  daphne build its requests from this subclass, which checks Content-Length when the headers end
  and counts the body chunks as Twisted decodes them. daphne's HTTPFactory reads the class from
  its module on every connection, so asgi.py (imported before daphne listens) installs it.
"""

import io
import tempfile
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.urls import Resolver404, get_resolver

from attachments.errors import REQUEST_TOO_BIG

#: The 413 text for every route but the uploads (whose text names the files' limits).
BODY_TOO_BIG = "O envio é grande demais e foi recusado: o máximo aceito aqui é {size}."

_PAGE = (
    '<!doctype html>\n<html lang="pt-BR">\n<head><meta charset="utf-8"><title>Envio grande demais · Atende.Net</title>'
    '</head>\n<body><main id="conteudo" class="error-page"><h1>Envio grande demais</h1><p>{text}</p>'
    '<p><a href="/">Voltar ao início</a></p></main></body>\n</html>\n'
)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, limit // 1024)} KB"


def body_limit_for(path: str) -> tuple[int, bool]:
    """(the body limit in bytes, whether the route takes files) for a request path."""
    try:
        match = get_resolver().resolve(path)
    except Resolver404:
        return settings.REQUEST_MAX_BYTES, False
    if match.view_name in settings.UPLOAD_URL_NAMES:
        return settings.ATTACHMENT_REQUEST_MAX_BYTES, True
    return settings.REQUEST_MAX_BYTES, False


def refusal_page(limit: int, uploads: bool) -> bytes:
    text = REQUEST_TOO_BIG.format(limit=settings.ATTACHMENT_MAX_FILES) if uploads else BODY_TOO_BIG
    return _PAGE.format(text=text.format(size=_size(limit))).encode()


def _announced_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitMiddleware:
    """ASGI: refuse by Content-Length before calling the app; count the body as the app receives it."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, uploads = body_limit_for(scope["path"])
        announced = _announced_length(scope.get("headers", []))
        if announced is not None and announced > limit:
            await self._refuse(send, limit, uploads)
            return
        received = 0
        responded = False

        async def limited_receive() -> dict[str, Any]:
            nonlocal received, responded
            if responded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    responded = True
                    await self._refuse(send, limit, uploads)
                    # The app sees the client gone (Django raises RequestAborted and answers nothing).
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            if not responded:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)

    @staticmethod
    async def _refuse(send: Callable, limit: int, uploads: bool) -> None:
        body = refusal_page(limit, uploads)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _limited_request_class():
    from daphne.http_protocol import WebRequest

    class LimitedWebRequest(WebRequest):
        """daphne's request, refusing a body over its route's limit while Twisted receives it."""

        body_refused = False

        def gotLength(self, length: int | None) -> None:  # noqa: N802 (Twisted's name)
            path = self.channel._path.split(b"?", 1)[0].decode("latin-1")
            self.body_limit, self.body_uploads = body_limit_for(path)
            self.body_seen = 0
            if length is not None and length > self.body_limit:
                # Twisted answers "Expect: 100-continue" right after this: the client must not be invited to send.
                self.requestHeaders.removeHeader(b"Expect")
                self._refuse_body()
                return
            # Twisted spools any body of unknown length (chunked) or over 100 KB to a temporary file;
            # bounded now, it stays in memory up to the size Django keeps files in memory.
            if self.body_limit <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
                self.content = io.BytesIO()
            else:
                self.content = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115

        def handleContentChunk(self, data: bytes) -> None:  # noqa: N802
            if self.body_refused:
                return
            self.body_seen += len(data)
            if self.body_seen > self.body_limit:
                self._refuse_body()
                return
            super().handleContentChunk(data)

        def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:  # noqa: N802
            if not self.body_refused:
                super().requestReceived(command, path, version)

        def _refuse_body(self) -> None:
            """Answer 413 and close; reading stops at once (the rest is never taken off the wire)."""
            self.body_refused = True
            if self.content is not None:
                self.content.close()
            body = refusal_page(self.body_limit, self.body_uploads)
            transport = self.channel.transport
            transport.write(
                b"HTTP/1.1 413 Content Too Large\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
            )
            transport.pauseProducing()
            transport.loseConnection()

    return LimitedWebRequest


def install_daphne_guard() -> None:
    """Make daphne (when it is the server) build its HTTP requests from LimitedWebRequest."""
    try:
        from daphne import http_protocol
    except ImportError:
        return
    if not hasattr(http_protocol.WebRequest, "body_refused"):
        http_protocol.WebRequest = _limited_request_class()
