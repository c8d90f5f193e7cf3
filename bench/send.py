"""The send of a live conversation (issue 13): the page's script posts a message and the other side sees it.

With the idle staff sockets open (ctx.sizes.sockets on /ws/toolbar/), the requester of the heavy ticket
posts over HTTP as send.js does (X-Requested-With, a fresh client key, JSON back) and an attendant's
/ws/tickets/<n>/ socket waits for the line. Two figures per send:
- the HTTP send: request to full JSON answer on a kept-alive loopback connection (server time + loopback);
- send to socket: from just before the request until the other side's socket has the ticket.message.
"""

import asyncio

from .baselines import _put_summary
from .context import Ctx, NotAvailable, Section
from .http_send import PageSender, staff_path
from .stats import summary_ms
from .wsclient import Refused, Sock, close_all, open_all, origin, ws_url

WARMUP = 5


async def _join(sock: Sock) -> None:
    """Once the resume is answered the socket has joined the ticket's group (its connect is over);
    from 0, as a fresh page does: the consumer drops live lines at or below the id it resumed to."""
    resumed = sock.expect(lambda m: m.get("type") == "resumed")
    await sock.send_json({"type": "resume", "last_id": 0})
    await asyncio.wait_for(resumed, 30)


async def _open_patiently(socks: list[Sock], batch: int = 50, attempts: int = 4) -> int:
    """Open the idle sockets fifty at a time (the listen backlog), retrying the handshakes a busy server dropped."""
    waiting = list(socks)
    for _ in range(attempts):
        failed = []
        for start in range(0, len(waiting), batch):
            chunk = waiting[start : start + batch]
            results = await asyncio.gather(*(sock.open() for sock in chunk), return_exceptions=True)
            failed += [sock for sock, result in zip(chunk, results, strict=True) if isinstance(result, Exception)]
        if not failed:
            break
        waiting = failed
        await asyncio.sleep(1)
    else:
        return len(socks) - len(failed)
    return len(socks)


async def send(ctx: Ctx) -> Section:
    sends = max(ctx.sizes.page_requests, 20)
    section = Section(
        "send",
        f"Send from the page (HTTP, JSON) and the line on the other side's socket "
        f"({ctx.sizes.sockets} idle staff sockets open)",
    )
    heavy = ctx.plan["heavy"]
    number = heavy["ticket_id"]
    path = staff_path(number)
    port = ctx.port(0)
    idle = [
        Sock(ws_url(ctx.port(i), "/ws/toolbar/"), origin=origin(ctx.port(i)), session=p["session"])
        for i, p in enumerate(ctx.plan["sockets"])
    ]
    other_side = Sock(
        ws_url(ctx.port(1 % len(ctx.stack.ports)), f"/ws/tickets/{number}/"),
        origin=origin(ctx.port(1 % len(ctx.stack.ports))),
        session=ctx.plan["admin"]["session"],
    )
    sender = PageSender(port, heavy["session"])
    try:
        try:
            await open_all([other_side])
        except Refused as error:
            raise NotAvailable(f"not available: socket refused ({error})") from None
        opened = await _open_patiently(idle)
        await _join(other_side)
        reconnects = 0
        await asyncio.to_thread(sender.prepare, path)

        http_samples: list[float] = []
        socket_samples: list[float] = []
        missed = 0
        for i in range(sends + WARMUP):
            if other_side.closed.is_set():
                # The server closed it (renewal, a loaded machine): reconnect as the page does.
                reconnects += 1
                await other_side.open()
                await _join(other_side)
            body = f"Mensagem de bench enviada pela página {i}."
            arrived = other_side.expect(lambda m: m.get("type") == "ticket.message")
            t0, elapsed, message_id = await asyncio.to_thread(sender.post, path, body)
            try:
                t1, message = await asyncio.wait_for(arrived, 5)
            except TimeoutError:
                missed += 1
                continue
            if message["message"]["id"] != message_id:
                missed += 1
                continue
            if i >= WARMUP:
                http_samples.append(elapsed)
                socket_samples.append(t1 - t0)
            await asyncio.sleep(0.02)
        _put_summary(section, "http_", summary_ms(http_samples))
        _put_summary(section, "to_socket_", summary_ms(socket_samples))
        section.put("missed", missed)
        section.put("reconnects", reconnects)
        section.put("idle_sockets", opened)
    finally:
        sender.close()
        await close_all([*idle, other_side])
    return section
