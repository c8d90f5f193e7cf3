"""Start daphne as the settings say: ``python -m atende_chat.serve -b 0.0.0.0 -p 8000``.

Behind a proxy (BEHIND_PROXY=true) daphne runs with ``--proxy-headers``: the client address comes
from X-Forwarded-For and the scheme from X-Forwarded-Proto, which the proxy must set itself,
replacing what the client sent (deploy/nginx/atende_chat.conf). daphne takes the first address of
X-Forwarded-For, so a proxy that appends to the client's header would let the client choose its
address; and daphne must then be reachable only through the proxy. Without a proxy the flag is
left out, so that no client can claim another address (the login lock is per user name and address).
"""

import os
import sys

from daphne.cli import CommandLineInterface


def daphne_arguments(argv: list[str]) -> list[str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atende_chat.settings")
    from django.conf import settings

    proxy = ["--proxy-headers"] if settings.BEHIND_PROXY else []
    return [*proxy, *argv, "atende_chat.asgi:application"]


if __name__ == "__main__":
    CommandLineInterface().run(daphne_arguments(sys.argv[1:]))
