"""Product measurements, written against the shared contract (PREAMBLE "Shared markup contract"):

- /ws/toolbar/ pushes {"type": "person.badge", "unread": n} to the person's sockets;
- /ws/tickets/<n>/ pushes {"type": "ticket.message", "message": {"id": ...}} and answers
  {"type": "resume", "last_id": N} by replaying every newer message as ticket.message events;
- GET /chat/painel/, /chat/, /chat/atendimentos/<n>/ (staff) and /admin/tickets/ticket/ (attendant).

A missing route or a refused socket raises NotAvailable; run.py turns that into a failure in a full run.
"""

import asyncio
import contextlib
import io
import json
import random
import threading
import time
from collections import defaultdict
from pathlib import Path

from django.urls import Resolver404, resolve

from .baselines import WARM_SOCKETS, _put_summary, bench_socks, http_get_spread, rss_after_warmup
from .config import PYTHON
from .context import Ctx, NotAvailable, Section
from .http_send import PageSender, attendant_path
from .stack import machine_cpu_seconds
from .stats import summary_ms
from .wsclient import Refused, Sock, close_all, open_all, origin, ws_url

PAGES = [
    ("page_panel", "Panel fragment GET /chat/painel/ (person with {n} tickets)", "/chat/painel/", "heavy"),
    ("page_mine", 'Chat window, "Meus Atendimentos" GET /chat/ (person with {n} tickets)', "/chat/", "heavy"),
    ("page_conversation", "Conversation GET /chat/atendimentos/<n>/ (person with {n} tickets)", None, "heavy"),
    ("page_admin_queue", "Admin queue GET /admin/tickets/ticket/ (attendant)", "/admin/tickets/ticket/", "admin"),
]


def page_sections(ctx: Ctx) -> list[Section]:
    heavy = ctx.plan["heavy"]
    sections = []
    for key, title, path, who in PAGES:
        section = Section(key, title.format(n=heavy["tickets"]))
        path = path or f"/chat/atendimentos/{heavy['ticket_id']}/"
        section.put("path", path)
        try:
            resolve(path)
        except Resolver404:
            section.status = "not available" if ctx.smoke else "failed"
            section.note = f"not available: no route for {path} yet"
            sections.append(section)
            continue
        try:
            session = heavy["session"] if who == "heavy" else ctx.plan["admin"]["session"]
            samples = http_get_spread(ctx, path, session, ctx.sizes.page_requests)
            _put_summary(section, "", summary_ms(samples))
        except Exception as error:
            section.status = "failed"
            section.note = f"{type(error).__name__}: {error}"
        sections.append(section)
    return sections


#: The report pages (issue 17): a manager's 30-day default and a whole year (every seeded ticket), a year's
#: CSV, and an attendant's own day.
REPORT_PAGES = [
    ("page_reports", "Report page GET /admin/relatorios/ (manager, last 30 days)", "/admin/relatorios/", "manager"),
    (
        "page_reports_year",
        "Report page GET /admin/relatorios/ (manager, 366 days: every ticket)",
        "/admin/relatorios/?inicio={year_ago}&fim={today}",
        "manager",
    ),
    (
        "page_reports_csv",
        "Report CSV by attendant (manager, 366 days)",
        "/admin/relatorios/csv/atendentes/?inicio={year_ago}&fim={today}",
        "manager",
    ),
    ("page_my_day", 'Attendant\'s "Meu dia" GET /admin/relatorios/meu-dia/', "/admin/relatorios/meu-dia/", "admin"),
]


def report_sections(ctx: Ctx) -> list[Section]:
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    dates = {"today": today.isoformat(), "year_ago": (today - timedelta(days=365)).isoformat()}
    sections = []
    for key, title, path, who in REPORT_PAGES:
        section = Section(key, title)
        path = path.format(**dates)
        section.put("path", path)
        try:
            resolve(path.split("?")[0])
        except Resolver404:
            section.status = "not available" if ctx.smoke else "failed"
            section.note = f"not available: no route for {path} yet"
            sections.append(section)
            continue
        try:
            samples = http_get_spread(ctx, path, ctx.plan[who]["session"], ctx.sizes.report_requests)
            _put_summary(section, "", summary_ms(samples))
        except Exception as error:
            section.status = "failed"
            section.note = f"{type(error).__name__}: {error}"
        sections.append(section)
    return sections


def _png_2mb() -> bytes:
    """A PNG of noise (it does not compress), just under 2 MB."""
    from PIL import Image

    side = 800
    image = Image.frombytes("RGB", (side, side), random.randbytes(side * side * 3))  # noqa: S311
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _pdf_2mb() -> bytes:
    """A small valid PDF carrying a stream of random bytes, just under 2 MB."""
    payload = random.randbytes(1_950_000)  # noqa: S311
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length " + str(len(payload)).encode() + b" >>\nstream\n" + payload + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def upload(ctx: Ctx) -> Section:
    """attachments_clean + attachments_store of a 2 MB file, in a transaction, as the services do it."""
    import hashlib

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from attachments.services import attachments_clean, attachments_store, stored_files_cleanup
    from tickets.models import Message

    section = Section("upload", "Validate and store a 2 MB upload (attachments_clean + attachments_store)")
    user = get_user_model().objects.get(pk=ctx.plan["heavy"]["user_id"])
    message = Message.objects.filter(ticket_id=ctx.plan["heavy"]["ticket_id"]).order_by("id").first()
    files = {"png": ("captura.png", _png_2mb(), "image/png"), "pdf": ("nota.pdf", _pdf_2mb(), "application/pdf")}
    created = []
    baseline: list[float] = []
    scratch = Path(settings.MEDIA_ROOT) / "bench-baseline"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        for kind, (name, content, content_type) in files.items():
            samples = []
            for _ in range(ctx.sizes.upload_runs + 1):
                upload = SimpleUploadedFile(name, content, content_type=content_type)
                t0 = time.perf_counter()
                clean = attachments_clean(files=[upload])
                with stored_files_cleanup() as stored, transaction.atomic():
                    created += attachments_store(message=message, files=clean, user=user, stored=stored)
                samples.append(time.perf_counter() - t0)
            _put_summary(section, f"{kind}_", summary_ms(samples[1:]))
            section.put(f"{kind}_bytes", len(content), "B")
        # Baseline: what storing costs at the least, hash and write the same bytes to the same disk.
        content = files["png"][1]
        for i in range(ctx.sizes.upload_runs):
            t0 = time.perf_counter()
            hashlib.sha256(content).hexdigest()
            (scratch / f"raw{i}").write_bytes(content)
            baseline.append(time.perf_counter() - t0)
        section.put("raw_write_p50", round(summary_ms(baseline)["p50"], 3), "ms")
    finally:
        for attachment in created:
            attachment.file.storage.delete(attachment.file.name)
            attachment.delete()
        for path in scratch.glob("raw*"):
            path.unlink()
    return section


def _not_available(error: Exception) -> NotAvailable:
    return NotAvailable(f"not available: socket refused ({error}); the consumer is not there yet")


async def _replier_serve(ctx: Ctx, log_name: str):
    return await ctx.spawn(
        PYTHON,
        "-m",
        "bench.replier",
        "serve",
        log_name=log_name,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


async def _reply(proc, ticket_id: int, user_id: int) -> dict:
    proc.stdin.write((json.dumps({"ticket": ticket_id, "user": user_id}) + "\n").encode())
    await proc.stdin.drain()
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    if not line:
        raise RuntimeError("the replier process ended")
    answer = json.loads(line)
    if answer["error"]:
        raise RuntimeError(f"ticket_message_create failed: {answer['error']}")
    return answer


async def _rate_writer(ctx: Ctx, *, user_id: int, tickets: list[int], rate: float, seconds: float, out: Path, name):
    return await ctx.spawn(
        PYTHON,
        "-m",
        "bench.replier",
        "rate",
        "--user",
        str(user_id),
        "--tickets",
        ",".join(map(str, tickets)),
        "--rate",
        str(rate),
        "--seconds",
        str(seconds),
        "--max",
        str(int(rate * seconds * 1.2) + 1),
        "--out",
        str(out),
        log_name=name,
        stdout=asyncio.subprocess.PIPE,
    )


async def toolbar(ctx: Ctx) -> tuple[Section, Section, Section]:
    """Memory per idle staff socket, then reply-to-badge latency with replies flowing in the background.

    "badge" is what a person lives (issue 16, point 7): the clock starts when the attendant's HTTP send
    leaves the client (the admin conversation's script posts as static/js/send.js does) and stops at the
    staff socket's person.badge frame; the background replies are HTTP sends too. "badge_service" is the
    figure make bench reported before: the clock starts at the service call in a process of its own, after
    the request would have been parsed and the ticket fetched, with background replies that never pass
    through the servers. Both in the same run, so the HTTP share is their difference.
    """
    memory = Section("memory_toolbar", "Memory per idle staff socket /ws/toolbar/ (server RSS growth / sockets)")
    rate = ctx.sizes.badge_background_rate
    badge = Section(
        "badge",
        f"Reply-to-badge latency, from the attendant's HTTP send to the staff socket's badge "
        f"({ctx.sizes.sockets} staff sockets, {rate:g} HTTP replies/s in the background)",
    )
    badge_service = Section(
        "badge_service",
        f"Reply-to-badge latency, clock at the service call (before issue 16; {ctx.sizes.sockets} staff sockets, "
        f"{rate:g} service-layer replies/s in the background)",
    )
    people = ctx.plan["sockets"]
    socks = [
        Sock(ws_url(ctx.port(i), "/ws/toolbar/"), origin=origin(ctx.port(i)), session=p["session"], label=p)
        for i, p in enumerate(people)
    ]
    n_warm = min(WARM_SOCKETS * len(ctx.stack.ports), len(socks) // 4)
    warm, socks = socks[:n_warm], socks[n_warm:]
    try:
        try:
            before = await rss_after_warmup(ctx, warm)
            await open_all(socks)
        except Refused as error:
            raise _not_available(error) from None
        await asyncio.sleep(2)
        after = await asyncio.to_thread(ctx.stack.server_rss)
        memory.put("per_socket_kb", round((after - before) / len(socks) / 1024, 2), "KB")
        memory.put("sockets", len(socks))
        memory.put("rss_before_mb", round(before / 2**20, 1), "MB")
        memory.put("rss_after_mb", round(after / 2**20, 1), "MB")

        half = max(1, len(socks) // 2)
        measured, background = socks[:half], socks[half:] or socks[:1]
        await _badge_over_http(ctx, badge, measured, [s.label["ticket_id"] for s in background])
        await _badge_at_service(ctx, badge_service, measured, [s.label["ticket_id"] for s in background])
    finally:
        await close_all(socks + warm)
    return memory, badge, badge_service


async def _badge_samples(ctx: Ctx, section: Section, socks: list[Sock], reply) -> None:
    """reply(ticket_id) -> the monotonic time the send started; the badge frame on the ticket's socket stops it."""
    warmup = 3
    samples: list[float] = []
    missed = 0
    for i in range(ctx.sizes.badge_samples + warmup):
        sock = socks[i % len(socks)]
        expected = sock.expect(lambda m: m.get("type") == "person.badge")
        t0 = await reply(sock.label["ticket_id"])
        try:
            t1, _ = await asyncio.wait_for(expected, 10)
        except TimeoutError:
            missed += 1
            continue
        if i >= warmup:
            samples.append(t1 - t0)
        await asyncio.sleep(0.05)
    if not samples:
        raise RuntimeError("no badge event reached any socket")
    _put_summary(section, "", summary_ms(samples))
    section.put("missed", missed)


async def _badge_over_http(ctx: Ctx, section: Section, socks: list[Sock], background_tickets: list[int]) -> None:
    session = ctx.plan["badge_attendant_session"]
    sender = PageSender(ctx.port(0), session)
    # The background: another tab of the same attendant, on the other server, at a fixed rate.
    background = PageSender(ctx.port(1), session)
    stop = threading.Event()
    sent = {"n": 0, "errors": 0, "first_error": None}
    http_times: list[float] = []

    def background_loop() -> None:
        start = time.monotonic()
        while not stop.is_set():
            due = start + sent["n"] / ctx.sizes.badge_background_rate
            if stop.wait(max(0.0, due - time.monotonic())):
                return
            ticket = background_tickets[sent["n"] % len(background_tickets)]
            sent["n"] += 1
            try:
                background.post(attendant_path(ticket), "Resposta de fundo.")
            except Exception as error:  # reported below: a failing background is a failed measurement
                sent["errors"] += 1
                sent["first_error"] = sent["first_error"] or f"{type(error).__name__}: {error}"

    async def reply(ticket_id: int) -> float:
        t0, elapsed, _ = await asyncio.to_thread(sender.post, attendant_path(ticket_id), "Resposta medida.")
        http_times.append(elapsed)
        return t0

    try:
        await asyncio.to_thread(sender.prepare, attendant_path(socks[0].label["ticket_id"]))
        await asyncio.to_thread(background.prepare, attendant_path(background_tickets[0]))
        thread = threading.Thread(target=background_loop, daemon=True)
        started = time.monotonic()
        thread.start()
        try:
            await _badge_samples(ctx, section, socks, reply)
        finally:
            stop.set()
            await asyncio.to_thread(thread.join, 30)
        if sent["errors"]:
            raise RuntimeError(f"background HTTP sends failed: {sent['first_error']}")
        section.put("background_sent_per_s", round(sent["n"] / (time.monotonic() - started), 1), "/s")
        http = summary_ms(http_times[3:])
        section.put("http_send_p50", http["p50"], "ms")
        section.put("http_send_p95", http["p95"], "ms")
    finally:
        sender.close()
        background.close()


async def _badge_at_service(ctx: Ctx, section: Section, socks: list[Sock], background_tickets: list[int]) -> None:
    attendant = ctx.plan["badge_attendant_id"]
    procs = []
    try:
        bg = await _rate_writer(
            ctx,
            user_id=attendant,
            tickets=background_tickets,
            rate=ctx.sizes.badge_background_rate,
            seconds=ctx.sizes.badge_samples * 0.1 + 30,
            out=ctx.out_dir / "badge-background.txt",
            name="replier-badge-background.log",
        )
        procs.append(bg)
        replier = await _replier_serve(ctx, "replier-badge.log")
        procs.append(replier)

        async def reply(ticket_id: int) -> float:
            return (await _reply(replier, ticket_id, attendant))["t0"]

        await _badge_samples(ctx, section, socks, reply)
        replier.stdin.close()
        await ctx.reap(replier)
        await ctx.reap(bg)
        if bg.stdout is not None:
            summary = (await bg.stdout.read()).decode().strip()
            if summary:
                section.put("background_sent_per_s", round(json.loads(summary.splitlines()[-1])["rate"], 1), "/s")
    finally:
        for proc in procs:
            await ctx.reap(proc)


async def chat(ctx: Ctx) -> Section:
    """Sustained messages/s through ticket_message_create to the requester's /ws/tickets/<n>/, then resync."""
    section = Section("chat", "Sustained chat messages through the service layer to the other side's socket")
    conversations = ctx.plan["conversations"]
    socks = [
        Sock(
            ws_url(ctx.port(i), f"/ws/tickets/{c['ticket_id']}/"),
            origin=origin(ctx.port(i)),
            session=c["session"],
            label=c,
        )
        for i, c in enumerate(conversations)
    ]
    received: dict[int, float] = {}
    duplicates = 0
    newest: dict[int, int] = {}  # per socket, the newest message id it has shown: what a page resumes from

    def listener_for(sock: Sock):
        def listener(t: float, message: dict) -> None:
            nonlocal duplicates
            if message.get("type") != "ticket.message":
                return
            message_id = message.get("message", {}).get("id")
            newest[id(sock)] = max(newest.get(id(sock), 0), message_id or 0)
            if message_id in received:
                duplicates += 1
            else:
                received[message_id] = t

        return listener

    writers = []
    try:
        try:
            await open_all(socks)
        except Refused as error:
            raise _not_available(error) from None
        for sock in socks:
            sock.listeners.append(listener_for(sock))
        # As the page does on hello: the socket holds live messages until its resume is answered (strict order).
        answered = [sock.expect(lambda m: m.get("type") == "resumed") for sock in socks]
        for sock in socks:
            await sock.send_json({"type": "resume", "last_id": sock.label["last_message_id"]})
        await asyncio.wait_for(asyncio.gather(*answered), 60)
        by_attendant: dict[int, list[int]] = defaultdict(list)
        for c in conversations:
            by_attendant[c["attendant_id"]].append(c["ticket_id"])
        rate_each = ctx.sizes.chat_rate / len(by_attendant)
        cpu_before = (machine_cpu_seconds(), ctx.stack.server_cpu(), time.process_time())
        outs = []
        for n, (attendant, tickets) in enumerate(by_attendant.items()):
            out = ctx.out_dir / f"chat-writer{n}.txt"
            outs.append(out)
            writers.append(
                await _rate_writer(
                    ctx,
                    user_id=attendant,
                    tickets=tickets,
                    rate=rate_each,
                    seconds=ctx.sizes.chat_seconds,
                    out=out,
                    name=f"replier-chat{n}.log",
                )
            )
        summaries = []
        for proc in writers:
            stdout, _ = await asyncio.wait_for(proc.communicate(), ctx.sizes.chat_seconds + 120)
            lines = stdout.decode().strip().splitlines()
            if not lines:
                raise RuntimeError("a chat writer ended without a summary")
            summaries.append(json.loads(lines[-1]))
        cpu_after = (machine_cpu_seconds(), ctx.stack.server_cpu(), time.process_time())
        failed = [s["first_error"] for s in summaries if s["errors"]]
        if failed:
            raise RuntimeError(f"ticket_message_create failed: {failed[0]}")
        created: dict[int, float] = {}
        for out in outs:
            for line in out.read_text().splitlines():
                message_id, t0, _ticket = line.split()
                created[int(message_id)] = float(t0)
        await _quiet(lambda: len(received), settle=1.0, limit=15)
        live = [received[m] - t0 for m, t0 in created.items() if m in received]
        lost_live = sum(1 for m in created if m not in received)
        if created:
            window = max(received.get(m, 0) for m in created) - min(created.values())
            section.put("offered_per_s", round(sum(s["rate"] for s in summaries), 1), "/s")
            section.put("delivered_per_s", round(len(live) / window, 1) if window > 0 else None, "/s")
        section.put("messages", len(created))
        section.put("lost_live", lost_live)
        _put_summary(section, "latency_", summary_ms(live))
        section.put(
            "service_p95",
            round(max((s["service_p95_ms"] or 0) for s in summaries), 2),
            "ms",
        )
        _put_cpu_split(section, cpu_before, cpu_after, sum(s["cpu_s"] for s in summaries), len(created))

        # Resync as a reconnecting page does: each socket sends the newest id it has shown; what it missed
        # live comes now, and anything it already had would count as replayed.
        for sock in socks:
            await sock.send_json({"type": "resume", "last_id": newest.get(id(sock), sock.label["last_message_id"])})
        await _quiet(lambda: len(received) + duplicates, settle=1.5, limit=30)
        section.put("lost_after_resync", sum(1 for m in created if m not in received))
        section.put("replayed", duplicates)
    finally:
        for proc in writers:
            await ctx.reap(proc)
        await close_all(socks)
    return section


def _put_cpu_split(section: Section, before, after, writers_cpu: float, messages: int) -> None:
    """Where the machine's CPU went while the writers ran, per message: what limits the rate on 2 cores.

    The writers' figure is their sending loop (not Django's setup); "rest" is PostgreSQL, Redis, the
    Celery worker, the writers' start-up and anything else running on the machine (other engineers' tests too).
    """
    (busy0, total0), servers0, client0 = before
    (busy1, total1), servers1, client1 = after
    if not messages or total1 <= total0:
        return
    per = 1000 / messages
    busy = busy1 - busy0
    servers, client = servers1 - servers0, client1 - client0
    section.put("cpu_busy_pct", round(100 * busy / (total1 - total0), 1), "%")
    section.put("cpu_per_msg_writers", round(writers_cpu * per, 2), "ms")
    section.put("cpu_per_msg_servers", round(servers * per, 2), "ms")
    section.put("cpu_per_msg_client", round(client * per, 2), "ms")
    section.put("cpu_per_msg_rest", round(max(0.0, busy - writers_cpu - servers - client) * per, 2), "ms")


async def _quiet(count, *, settle: float, limit: float) -> None:
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


async def _storm(ctx: Ctx, socks: list[Sock], *, during_down, catch_up, section: Section) -> None:
    """Restart server 0 with every socket on it; time until each is back and caught up."""
    deadline_box: dict[str, float] = {}
    done: dict[int, float] = {}
    failures: list[str] = []
    last_error: dict[int, str] = {}
    rejected: list[str] = []

    async def survivor(index: int, sock: Sock) -> None:
        await sock.closed.wait()
        attempt = 0
        while time.monotonic() < deadline_box.get("deadline", float("inf")):
            # Exponential back-off with full jitter (0.5 s doubling, capped at 15 s), as a browser client should.
            delay = random.uniform(0, min(15.0, 0.5 * 2**attempt))  # noqa: S311
            await asyncio.sleep(delay)
            attempt += 1
            try:
                await sock.open(open_timeout=10)
            except Refused as error:
                # Daphne answers 403 when a consumer has not accepted within its connect timeout (5 s):
                # a browser sees a failed socket and tries again, so does this client.
                rejected.append(str(error))
                continue
            except Exception as error:  # the server is still starting: try again
                last_error[index] = repr(error)
                continue
            try:
                await catch_up(index, sock, max(1.0, deadline_box["deadline"] - time.monotonic()))
            except TimeoutError:
                failures.append(f"socket {index}: not caught up")
                return
            done[index] = time.monotonic()
            return

    await open_all(socks)
    tasks = [asyncio.create_task(survivor(i, s)) for i, s in enumerate(socks)]
    try:
        t_kill = time.monotonic()
        await asyncio.to_thread(ctx.stack.servers[0].stop)
        await during_down()
        t_start = time.monotonic()
        deadline_box["deadline"] = t_start + ctx.sizes.storm_timeout
        ready = await asyncio.to_thread(_restart_server0, ctx)
        with contextlib.suppress(TimeoutError):  # the count below says how many made it
            await asyncio.wait_for(asyncio.gather(*tasks), ctx.sizes.storm_timeout + 15)
    finally:
        for task in tasks:
            task.cancel()
        await close_all(socks)
    if failures:
        raise RuntimeError(f"{len(failures)} sockets failed to come back: {failures[0]}")
    if len(done) < len(socks):
        example = next(iter(last_error.values()), rejected[-1] if rejected else "no error seen")
        raise RuntimeError(
            f"only {len(done)} of {len(socks)} sockets were back within {ctx.sizes.storm_timeout:g} s ({example})"
        )
    back = [t - t_start for t in done.values()]
    section.put("sockets", len(socks))
    section.put("handshakes_rejected", len(rejected))
    section.put("server_ready_s", round(ready, 2), "s")
    section.put("all_back_s", round(max(back), 2), "s")
    section.put("downtime_s", round(t_start - t_kill, 2), "s")
    summary = summary_ms(back)
    section.put("p50_back", round(summary["p50"] / 1000, 2), "s")
    section.put("p95_back", round(summary["p95"] / 1000, 2), "s")


def _restart_server0(ctx: Ctx) -> float:
    stack = ctx.stack
    stack.servers[0] = stack._server_proc(0)
    stack.servers[0].start()
    return stack.wait_server(0)


async def storm_baseline(ctx: Ctx) -> Section:
    section = Section("storm_bare", "Reconnect storm, bare echo sockets: restart the server, all back and echoing")
    socks = bench_socks(ctx, ctx.sizes.sockets, server=0)

    async def nothing() -> None:
        return None

    async def catch_up(index: int, sock: Sock, remaining: float) -> None:
        expected = sock.expect(lambda m: m.get("storm") == index)
        await sock.send_json({"storm": index})
        await asyncio.wait_for(expected, remaining)

    await _storm(ctx, socks, during_down=nothing, catch_up=catch_up, section=section)
    return section


async def storm(ctx: Ctx) -> Section:
    section = Section(
        "storm",
        "Reconnect storm, /ws/tickets/<n>/ sockets: restart the server, all back and caught up (resume)",
    )
    people = ctx.plan["sockets"]
    # Every socket on server 0, restarted below: it measures one process's storm, through nginx or not.
    port = ctx.server_port(0)
    socks = [
        Sock(ws_url(port, f"/ws/tickets/{p['ticket_id']}/"), origin=origin(port), session=p["session"], label=p)
        for p in people
    ]
    probe = Sock(socks[0].url, origin=socks[0].origin, session=socks[0].session)
    try:
        await probe.open()
    except Refused as error:
        raise _not_available(error) from None
    finally:
        await probe.close()
    missed: dict[int, int] = {}

    async def during_down() -> None:
        missed.update(await asyncio.to_thread(_messages_while_down, [p["ticket_id"] for p in people]))

    async def catch_up(index: int, sock: Sock, remaining: float) -> None:
        ticket_id = sock.label["ticket_id"]
        expected = sock.expect(lambda m: m.get("type") == "ticket.message" and m["message"]["id"] == missed[ticket_id])
        await sock.send_json({"type": "resume", "last_id": missed[ticket_id] - 1})
        await asyncio.wait_for(expected, remaining)

    await _storm(ctx, socks, during_down=during_down, catch_up=catch_up, section=section)
    return section


def _messages_while_down(ticket_ids: list[int]) -> dict[int, int]:
    """One attendant message per ticket written while the server is down (rows only: nobody could hear it)."""
    from django.db import transaction
    from django.db.models import F
    from django.db.models.functions import Greatest
    from django.utils import timezone

    from tickets.models import Message, Ticket

    now = timezone.now()
    tickets = Ticket.objects.filter(pk__in=ticket_ids).select_related("attendant")
    with transaction.atomic():
        messages = Message.objects.bulk_create(
            Message(
                ticket_id=t.pk,
                author_kind=Message.Author.ATTENDANT,
                author_id=t.attendant_id,
                author_name="Atendente Bench",
                body="Mensagem enviada enquanto o servidor reiniciava.",
                created_at=now,
            )
            for t in tickets
        )
        for message in messages:
            Ticket.objects.filter(pk=message.ticket_id).update(
                last_attendant_message_id=message.pk,
                attendant_read_id=Greatest(F("attendant_read_id"), message.pk),
            )
    return {m.ticket_id: m.pk for m in messages}
