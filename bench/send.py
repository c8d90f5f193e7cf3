"""The send of a live conversation (issue 13): the page's script posts a message and the other side sees it.

With the idle staff sockets open (ctx.sizes.sockets on /ws/toolbar/), the requester of the heavy ticket
posts over HTTP as send.js does (X-Requested-With, a fresh client key, JSON back) and an attendant's
/ws/tickets/<n>/ socket waits for the line. Two figures per send:
- the HTTP send: request to full JSON answer on a kept-alive loopback connection (server time + loopback);
- send to socket: from just before the request until the other side's socket has the ticket.message.
"""

import asyncio
import time

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


async def typing(ctx: Ctx) -> Section:
    """The typing indicator (issue 14): the requester's `typing` frame to the attendant's socket.

    Each of the conversations has the requester's /ws/tickets/<n>/ on one server and an attendant's on
    the other; the requester's socket sends {"type": "typing"} and the clock stops at the attendant's
    `ticket.typing` frame. The server lets one event through per person and ticket every 2 s, so the
    samples go round the conversations, each one sampled at most every 2.1 s.
    """
    conversations = ctx.plan["conversations"]
    section = Section(
        "typing",
        f"Typing indicator: the requester's frame to the attendant's socket ({len(conversations)} conversations)",
    )
    servers = len(ctx.stack.ports)
    pairs = [
        (
            Sock(
                ws_url(ctx.port(i), f"/ws/tickets/{c['ticket_id']}/"), origin=origin(ctx.port(i)), session=c["session"]
            ),
            Sock(
                ws_url(ctx.port(i + 1), f"/ws/tickets/{c['ticket_id']}/"),
                origin=origin(ctx.port(i + 1)),
                session=ctx.plan["admin"]["session"],
            ),
        )
        for i, c in enumerate(conversations)
    ]
    socks = [sock for pair in pairs for sock in pair]
    samples: list[float] = []
    missed = 0
    try:
        try:
            await open_all(socks)
        except Refused as error:
            raise NotAvailable(f"not available: socket refused ({error})") from None
        await asyncio.gather(*(_join(sock) for sock in socks))
        wanted = max(ctx.sizes.page_requests, 20)
        last_sent: dict[int, float] = {}
        i = 0
        while len(samples) + missed < wanted:
            index = i % len(pairs)
            i += 1
            wait = last_sent.get(index, 0) + 2.1 - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            requester, attendant = pairs[index]
            heard = attendant.expect(lambda m: m.get("type") == "ticket.typing")
            t0 = time.monotonic()
            last_sent[index] = t0
            await requester.send_json({"type": "typing"})
            try:
                t1, _ = await asyncio.wait_for(heard, 5)
            except TimeoutError:
                missed += 1
                continue
            samples.append(t1 - t0)
            await asyncio.sleep(0.01)
        _put_summary(section, "", summary_ms(samples))
        section.put("missed", missed)
        section.put("servers", servers)
    finally:
        await close_all(socks)
    return section
