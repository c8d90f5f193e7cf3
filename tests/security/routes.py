"""Every HTTP and websocket route of the product, named by its pattern, and the coverage check of a table.

The authorisation battery (test_authorisation.py) keys its table by these pattern strings, so a
route added anywhere (an app's urls.py, an admin's get_urls, a newly registered model) shows up
here and fails the battery until somebody says who may use it.
"""

from collections.abc import Iterable, Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def http_routes(resolver: URLResolver | None = None) -> list[str]:
    """Every URL pattern, as the full pattern string ("chat/atendimentos/<int:number>/"), in resolver order."""
    return list(dict.fromkeys(_walk(resolver or get_resolver(), "")))


def _walk(resolver: URLResolver, prefix: str) -> Iterator[str]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def websocket_routes(patterns: Iterable[URLPattern] | None = None) -> list[str]:
    if patterns is None:
        from routing.routing import websocket_urlpatterns as routing_patterns
        from tickets.routing import websocket_urlpatterns as tickets_patterns

        patterns = [*tickets_patterns, *routing_patterns]
    return [str(entry.pattern) for entry in patterns]


def uncovered(routes: Iterable[str], table: Iterable[str]) -> list[str]:
    """The routes the table says nothing about (and so would go untested)."""
    known = set(table)
    return [route for route in routes if route not in known]


def stale(routes: Iterable[str], table: Iterable[str]) -> list[str]:
    """Table entries for routes that no longer exist (a renamed URL would otherwise pass unnoticed)."""
    present = set(routes)
    return [route for route in table if route not in present]
