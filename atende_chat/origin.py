"""The websocket Origin check: scheme, host and port, not the host alone.

Channels' AllowedHostsOriginValidator accepts any Origin whose host is in ALLOWED_HOSTS, whatever
its scheme and port: a page served on another port of the same host (another application), or
over plain http next to the https site, could open the chat's sockets with the user's cookies.
Here the Origin must be the page's own site: the same host and port as the handshake's Host
header (which must be in ALLOWED_HOSTS), and http for ws, https for wss (behind a TLS proxy,
daphne --proxy-headers takes wss from X-Forwarded-Proto). WEBSOCKET_ALLOWED_ORIGINS adds exact
origins (scheme://host[:port]) for a page served from elsewhere. Anything else: the handshake is
refused (HTTP 403), before the consumer runs.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_tuple(value: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def origin_allowed(scope: dict[str, Any]) -> bool:
    headers = dict(scope.get("headers", []))
    origin = _origin_tuple(headers.get(b"origin", b"").decode("latin-1"))
    if origin is None:
        return False
    allowed = {_origin_tuple(item) for item in settings.WEBSOCKET_ALLOWED_ORIGINS}
    if origin in allowed:
        return True
    host, port = split_domain_port(headers.get(b"host", b"").decode("latin-1"))
    if not host or not validate_host(host, settings.ALLOWED_HOSTS):
        return False
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    expected = (scheme, host.strip("[]").lower(), int(port) if port else DEFAULT_PORTS[scheme])
    return origin == expected


class SameOriginValidator:
    """ASGI middleware for the websocket stack: refuse a handshake whose Origin is not this site's."""

    def __init__(self, application: Callable) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
