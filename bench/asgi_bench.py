"""The product's ASGI application plus bench-only routes, mounted only when BENCH_BASELINES=1.

Baselines must run on the same server, the same middleware and the same channel layer as the
product, so they are added here, around `atende_chat.asgi.application`, and never in product code:
- HTTP  /bench/bare/          a bare Django view (full middleware stack, no database query);
- WS    /ws/bench/<k>/        echoes every text frame, and joins the groups `bench.all` and `bench.sock.<k>`,
                              forwarding `bench.push` events (a raw group_send with no database).
"""

import os

from atende_chat.asgi import application as product_application

BENCH_ALL_GROUP = "bench.all"


def bench_socket_group(k: int) -> str:
    return f"bench.sock.{k}"


def _build():
    from channels.generic.websocket import AsyncWebsocketConsumer
    from channels.routing import URLRouter
    from django.http import HttpResponse
    from django.urls import path

    from atende_chat import urls as product_urls

    class BenchConsumer(AsyncWebsocketConsumer):
        async def connect(self) -> None:
            self.k = int(self.scope["url_route"]["kwargs"]["k"])
            self.groups_joined = [BENCH_ALL_GROUP, bench_socket_group(self.k)]
            for group in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
            await self.accept()

        async def disconnect(self, code: int) -> None:
            for group in getattr(self, "groups_joined", []):
                await self.channel_layer.group_discard(group, self.channel_name)

        async def receive(self, text_data=None, bytes_data=None) -> None:
            await self.send(text_data=text_data)

        async def bench_push(self, event: dict) -> None:
            await self.send(text_data=event["payload"])

    def bare_view(request):
        return HttpResponse("ok", content_type="text/plain")

    # The URL resolver reads urlpatterns lazily on the first request, so appending here is enough.
    product_urls.urlpatterns.append(path("bench/bare/", bare_view, name="bench-bare"))
    bench_router = URLRouter([path("ws/bench/<int:k>/", BenchConsumer.as_asgi())])

    async def application(scope, receive, send):
        if scope["type"] == "websocket" and scope["path"].startswith("/ws/bench/"):
            return await bench_router(scope, receive, send)
        return await product_application(scope, receive, send)

    return application


if os.environ.get("BENCH_BASELINES") == "1":
    application = _build()
else:
    application = product_application
