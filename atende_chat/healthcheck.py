"""The container health check: ``python -m atende_chat.healthcheck`` (docker-compose.yml).

Asks this container's own server for /saude/ with a Host the settings allow (the first of
ALLOWED_HOSTS), and exits 0 only on 200: the database, the cache and the channel layer answer.
"""

import os
import sys
import urllib.error
import urllib.request


def main(port: int = 8000) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atende_chat.settings")
    from django.conf import settings

    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/saude/", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (its own loopback)
            return 0 if answer.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"saúde: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8000))
