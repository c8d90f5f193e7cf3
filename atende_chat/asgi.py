"""ASGI entry point: HTTP through Django, websockets through Channels.

HTTP request bodies are bounded per route before they are read (atende_chat/bodylimit.py).
Websockets need an authenticated session and an Origin of this site (scheme, host and port).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atende_chat.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import WebsocketDenier  # noqa: E402
from django.urls import re_path  # noqa: E402

from atende_chat.bodylimit import BodyLimitMiddleware, install_daphne_guard  # noqa: E402
from atende_chat.origin import SameOriginValidator  # noqa: E402
from routing.routing import websocket_urlpatterns as routing_websocket_urlpatterns  # noqa: E402
from tickets.routing import websocket_urlpatterns  # noqa: E402

# daphne reads a whole body before calling any application: the limit goes into daphne itself.
install_daphne_guard()

application = ProtocolTypeRouter(
    {
        "http": BodyLimitMiddleware(django_asgi_app),
        # An unknown path is refused like a foreign Origin (HTTP 403), not with a traceback.
        "websocket": SameOriginValidator(
            AuthMiddlewareStack(
                URLRouter(
                    [*websocket_urlpatterns, *routing_websocket_urlpatterns, re_path(r"", WebsocketDenier.as_asgi())]
                )
            )
        ),
    }
)
