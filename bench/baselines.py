"""Baselines, measured first in every run on the same servers and layer as the product figures."""

import asyncio
import http.client
import json
import random
import time

import redis

from .asgi_bench import BENCH_ALL_GROUP, bench_socket_group
from .context import Ctx, Section
from .stats import summary_ms
from .wsclient import Sock, close_all, open_all, origin, ws_url


def _put_summary(section: Section, prefix: str, summary: dict) -> None:
    for name in ("p50", "p95", "p99"):
        section.put(f"{prefix}{name}", round(summary[name], 3), "ms")
    section.put(f"{prefix}samples", summary["n"])


def redis_round_trip(ctx: Ctx) -> Section:
    section = Section("redis", "Redis loopback round trip (PING)")
    client = redis.Redis.from_url(ctx.env["REDIS_URL"], socket_timeout=5)
    for _ in range(20):
        client.ping()
    samples = []
    for _ in range(ctx.sizes.redis_pings):
        t0 = time.perf_counter()
        client.ping()
        samples.append(time.perf_counter() - t0)
    client.close()
    _put_summary(section, "", summary_ms(samples))
    return section


def http_get_series(port: int, path: str, session: str | None, count: int, warmup: int = 3) -> list[float]:
    """Sequential GETs on one keep-alive connection; raises on any status but 200."""
    headers = {"Host": f"127.0.0.1:{port}"}
    if session:
        headers["Cookie"] = f"sessionid={session}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples = []
    try:
        for i in range(warmup + count):
            t0 = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - t0
            if response.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {response.status} {body[:200]!r}")
            if i >= warmup:
                samples.append(elapsed)
    finally:
        connection.close()
    return samples


def http_get_spread(ctx: Ctx, path: str, session: str | None, count: int) -> list[float]:
    """The same number of requests on every server, so each one's figures count."""
    servers = len(ctx.stack.ports)
    samples: list[float] = []
    for i in range(servers):
        share = count // servers + (1 if i < count % servers else 0)
        samples += http_get_series(ctx.port(i), path, session, max(share, 1))
    return samples


def bare_view(ctx: Ctx) -> Section:
    section = Section("bare_view", "Bare Django view over HTTP (same server and middleware)")
    _put_summary(section, "", summary_ms(http_get_spread(ctx, "/bench/bare/", None, ctx.sizes.page_requests)))
    return section


#: Sockets opened on fresh servers before a memory measurement starts: the first ones pay for imports,
#: the layer's connections and the allocator's first arenas, which are no cost per socket.
WARM_SOCKETS = 10


async def rss_after_warmup(ctx: Ctx, warm: list[Sock]) -> int:
    """Restart the servers, open a few sockets, settle: the RSS that the measured sockets add to."""
    await asyncio.to_thread(ctx.stack.restart_all)
    await open_all(warm)
    await asyncio.sleep(1)
    return await asyncio.to_thread(ctx.stack.server_rss)


def bench_socks(ctx: Ctx, count: int, *, server: int | None = None, first: int = 0) -> list[Sock]:
    socks = []
    for k in range(first, first + count):
        port = ctx.port(k) if server is None else ctx.server_port(server)
        socks.append(Sock(ws_url(port, f"/ws/bench/{k}/"), origin=origin(port), label=k))
    return socks


async def echo(ctx: Ctx) -> Section:
    section = Section("echo", "Bare echo consumer: round trips")
    socks = bench_socks(ctx, ctx.sizes.echo_sockets)
    samples: list[float] = []
    try:
        await open_all(socks)
        deadline = time.monotonic() + ctx.sizes.echo_seconds

        async def loop(sock: Sock) -> None:
            seq = 0
            while time.monotonic() < deadline:
                seq += 1
                expected = sock.expect(lambda m, s=seq: m.get("seq") == s)
                t0 = time.monotonic()
                await sock.send_json({"seq": seq})
                t1, _ = await asyncio.wait_for(expected, 10)
                samples.append(t1 - t0)

        start = time.monotonic()
        await asyncio.gather(*(loop(s) for s in socks))
        elapsed = time.monotonic() - start
    finally:
        await close_all(socks)
    section.put("round_trips_per_s", round(len(samples) / elapsed, 1), "/s")
    section.put("sockets", len(socks))
    _put_summary(section, "", summary_ms(samples))
    return section


async def push(ctx: Ctx) -> tuple[Section, Section, Section]:
    """Idle memory per bare socket, then raw group_send: fan-out to all, and one socket among all under load."""
    memory = Section("memory_bare", "Memory per idle bare socket (server RSS growth / sockets)")
    fanout = Section("fanout", "Raw group_send to every socket (no database)")
    single = Section("push", "Raw group_send to one socket among all, background pushes running (no database)")
    socks = bench_socks(ctx, ctx.sizes.sockets)
    layer = ctx.layer
    warm = bench_socks(ctx, WARM_SOCKETS * len(ctx.stack.ports), first=ctx.sizes.sockets)
    try:
        before = await rss_after_warmup(ctx, warm)
        await open_all(socks)
        await asyncio.sleep(2)
        after = await asyncio.to_thread(ctx.stack.server_rss)
        memory.put("per_socket_kb", round((after - before) / len(socks) / 1024, 2), "KB")
        memory.put("sockets", len(socks))
        memory.put("rss_before_mb", round(before / 2**20, 1), "MB")
        memory.put("rss_after_mb", round(after / 2**20, 1), "MB")

        latencies: list[float] = []
        for round_no in range(ctx.sizes.fanout_rounds):
            futures = [s.expect(lambda m, r=round_no: m.get("round") == r) for s in socks]
            t0 = time.monotonic()
            await layer.group_send(BENCH_ALL_GROUP, {"type": "bench.push", "payload": json.dumps({"round": round_no})})
            done = await asyncio.wait_for(asyncio.gather(*futures), 30)
            latencies += [t - t0 for t, _ in done]
            await asyncio.sleep(0.2)
        _put_summary(fanout, "", summary_ms(latencies))
        fanout.put("sockets", len(socks))
        fanout.put("rounds", ctx.sizes.fanout_rounds)

        half = max(1, len(socks) // 2)
        stop = asyncio.Event()

        async def background() -> None:
            interval = 1 / ctx.sizes.badge_background_rate
            n = 0
            while not stop.is_set():
                k = half + n % max(1, len(socks) - half) if len(socks) > 1 else 0
                await layer.group_send(bench_socket_group(k), {"type": "bench.push", "payload": json.dumps({"bg": n})})
                n += 1
                await asyncio.sleep(interval)

        bg = asyncio.create_task(background())
        samples: list[float] = []
        try:
            for i in range(ctx.sizes.push_samples):
                sock = socks[random.randrange(half)]  # noqa: S311 (not cryptography)
                expected = sock.expect(lambda m, i=i: m.get("sample") == i)
                t0 = time.monotonic()
                await layer.group_send(
                    bench_socket_group(sock.label), {"type": "bench.push", "payload": json.dumps({"sample": i})}
                )
                t1, _ = await asyncio.wait_for(expected, 10)
                samples.append(t1 - t0)
                await asyncio.sleep(0.02)
        finally:
            stop.set()
            await bg
        _put_summary(single, "", summary_ms(samples))
        single.put("sockets", len(socks))
        single.put("background_per_s", ctx.sizes.badge_background_rate, "/s")
    finally:
        await close_all(socks + warm)
    return memory, fanout, single


async def drop_rate(ctx: Ctx) -> Section:
    """Raw group_sends to sockets spread over every server, at rising rates: when does the layer drop?

    channels_redis drops (and logs "over capacity") when a server process's receive list holds
    `capacity` messages: when events come faster than the process forwards them, for long enough.
    Each step sends at a fixed rate for a few seconds, then waits for the sockets to go quiet and
    counts what was sent, delivered, lost and logged as dropped.
    """
    section = Section("drop_rate", "Raw group_send at rising rates to sockets on every server: drops and losses")
    socks = bench_socks(ctx, ctx.sizes.ramp_sockets, first=ctx.sizes.sockets + 1000)
    layer = ctx.layer
    received: dict[int, int] = {}

    def listener(t: float, message: dict) -> None:
        step = message.get("ramp")
        if step is not None:
            received[step] = received.get(step, 0) + 1

    first_drop = None
    max_sent = 0.0
    try:
        await open_all(socks)
        for sock in socks:
            sock.listeners.append(listener)
        for step, rate in enumerate(ctx.sizes.ramp_rates):
            drops_before = ctx.drop_counter.count if ctx.drop_counter is not None else 0
            total = int(rate * ctx.sizes.ramp_seconds)
            senders = min(50, total)
            start = time.monotonic()

            async def sender(offset: int, step=step, rate=rate, total=total, senders=senders, start=start) -> None:
                for n in range(offset, total, senders):
                    delay = start + n / rate - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    k = socks[n % len(socks)].label
                    payload = json.dumps({"ramp": step, "n": n})
                    await layer.group_send(bench_socket_group(k), {"type": "bench.push", "payload": payload})

            await asyncio.gather(*(sender(i) for i in range(senders)))
            sent_seconds = time.monotonic() - start
            await _settle(lambda step=step: received.get(step, 0), settle=1.0, limit=40)
            delivered = received.get(step, 0)
            dropped = (ctx.drop_counter.count if ctx.drop_counter is not None else 0) - drops_before
            max_sent = max(max_sent, total / sent_seconds)
            section.put(f"at_{rate}_sent_per_s", round(total / sent_seconds, 1), "/s")
            section.put(f"at_{rate}_lost", total - delivered)
            section.put(f"at_{rate}_drop_lines", dropped)
            if first_drop is None and (dropped or delivered < total):
                first_drop = rate
    finally:
        await close_all(socks)
    section.put("sockets", len(socks))
    section.put("servers", len(ctx.stack.ports))
    # The load client is one Python process: past its own ceiling the offered rate is not reached.
    section.put("drops_begin_at", f"{first_drop}/s offered" if first_drop else f"none up to {max_sent:.0f}/s sent")
    return section


async def _settle(count, *, settle: float, limit: float) -> None:
    """Wait until count() stops growing for `settle` seconds (at most `limit` seconds)."""
    start = time.monotonic()
    last, since = count(), time.monotonic()
    while time.monotonic() - start < limit:
        await asyncio.sleep(0.1)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= settle:
            return
