"""`make bench`: start the production shape locally, load synthetic data, measure, report.

    python bench/run.py [--smoke] [--out FILE] [--servers N] [--sockets N] [--tickets N]
                        [--database-url URL] [--redis-url URL]

Full run: bench database `atende_bench` (BENCH_DATABASE_URL), Redis db 6 (BENCH_REDIS_URL), results in
bench/RESULTS.md. --smoke: tiny numbers, its own database, results under var/bench/smoke/; product pieces
that are not there yet are reported "not available" instead of failing the run.
Exit status: 0 when every section ran (smoke: none failed), 1 otherwise.
"""

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import resource
import shutil
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.config import SMOKE, Sizes, default_database_url, default_redis_url, process_env  # noqa: E402

DROP_MARK = "over capacity"
#: Measurements that report several sections.
SECTION_GROUPS = {
    "push": ("memory_bare", "fanout", "push"),
    "pages": ("page_panel", "page_mine", "page_conversation", "page_admin_queue"),
    "reports": ("page_reports", "page_reports_year", "page_reports_csv", "page_my_day"),
    "badge": ("memory_toolbar", "badge", "badge_service"),
    "routing": ("routing_decisions", "routing_offer"),
}
#: Every section a completed run reports, in order (the smoke test checks them).
SECTIONS = (
    "redis",
    "bare_view",
    "echo",
    *SECTION_GROUPS["push"],
    "drop_rate",
    *SECTION_GROUPS["pages"],
    *SECTION_GROUPS["reports"],
    "upload",
    *SECTION_GROUPS["badge"],
    "chat",
    "send",
    "typing",
    "storm_bare",
    "storm",
    "routing_decisions",
    "routing_offer",
    "drops",
)


class DropCounter(logging.Handler):
    """Counts channels_redis "N of M channels over capacity" lines logged by this process."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if DROP_MARK in record.getMessage():
            self.count += 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny numbers, well under a minute")
    parser.add_argument("--out", help="where to write the Markdown results")
    parser.add_argument("--json", help="where to write the results as JSON (default: var/bench/<mode>/results.json)")
    parser.add_argument("--servers", type=int)
    parser.add_argument("--sockets", type=int)
    parser.add_argument("--tickets", type=int)
    parser.add_argument("--server", choices=("daphne", "uvicorn"), default="daphne", help="the ASGI server")
    parser.add_argument(
        "--through-nginx",
        action="store_true",
        help="the load client reaches the servers through Debian's nginx with deploy/nginx/atende_chat.conf",
    )
    parser.add_argument(
        "--size",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any size of the run (e.g. chat_writers=8, chat_rate=800); recorded",
    )
    parser.add_argument("--only", help="comma-separated measurements to run (e.g. storm_bare,storm), for profiling")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting for every process (e.g. CONN_MAX_AGE=60)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        help="whole runs, each in a process of its own with a fresh seed; RESULTS.md gets the medians "
        "(default 3 for a full run, 1 with --smoke or --only)",
    )
    parser.add_argument(
        "--from-runs",
        metavar="DIR",
        help="write RESULTS.md from the run-N.json files already in DIR (e.g. var/bench/full-runs) without running",
    )
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    return parser.parse_args(argv)


def ensure_database(url: str) -> None:
    import psycopg
    import psycopg.sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
        connect_timeout=5,
        autocommit=True,
    ) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def measure(ctx) -> None:
    from channels.layers import get_channel_layer

    from bench import baselines, products, routing, send
    from bench.context import NotAvailable, Section

    ctx.layer = get_channel_layer()

    async def section(key: str, title: str, run, keys: tuple[str, ...] = ()) -> None:
        """Run one measurement; whatever happens, each of its keys ends up with a section."""
        if ctx.only and key not in ctx.only:
            return
        print(f"… {title}", flush=True)
        started = time.monotonic()
        try:
            result = await run(ctx) if asyncio.iscoroutinefunction(run) else await asyncio.to_thread(run, ctx)
        except NotAvailable as error:
            status = "not available" if ctx.smoke else "failed"
            for name in keys or (key,):
                ctx.sections[name] = Section(name, title, status=status, note=str(error))
        except Exception as error:
            logging.getLogger("bench").exception("%s failed", key)
            for name in keys or (key,):
                ctx.sections[name] = Section(name, title, status="failed", note=f"{type(error).__name__}: {error}")
        else:
            for item in result if isinstance(result, list | tuple) else [result]:
                ctx.sections[item.key] = item
        print(f"  done in {time.monotonic() - started:.1f} s", flush=True)

    await section("redis", "Redis loopback round trip", baselines.redis_round_trip)
    await section("bare_view", "Bare Django view over HTTP", baselines.bare_view)
    await section("echo", "Bare echo consumer round trips", baselines.echo)
    await section(
        "push",
        "Raw group_send (fan-out, one socket among all) and bare socket memory",
        baselines.push,
        SECTION_GROUPS["push"],
    )
    await section("drop_rate", "Raw group_send at rising rates: where the layer starts dropping", baselines.drop_rate)
    await section("pages", "Staff pages and admin queue", products.page_sections, SECTION_GROUPS["pages"])
    await section("reports", "Report pages", products.report_sections, SECTION_GROUPS["reports"])
    await section("upload", "2 MB upload", products.upload)
    await section(
        "badge", "Idle staff sockets: memory and reply-to-badge latency", products.toolbar, SECTION_GROUPS["badge"]
    )
    await section("chat", "Sustained chat messages and resync", products.chat)
    await section("send", "Send from the page and the line on the other side's socket", send.send)
    await section("typing", "Typing indicator to the other side's socket", send.typing)
    await section("storm_bare", "Reconnect storm, bare sockets", products.storm_baseline)
    await section("storm", "Reconnect storm, conversation sockets", products.storm)
    # Last: it sets the seeded waiting tickets aside (cancelled) so that exactly its own tickets wait.
    await section(
        "routing", "Routing by capacity: decisions and creation-to-offer", routing.routing, SECTION_GROUPS["routing"]
    )


def count_drops(paths: list[Path], in_process: int) -> tuple[int, dict[str, int]]:
    per_log = {}
    for path in paths:
        try:
            text = path.read_text(errors="replace")
        except FileNotFoundError:
            continue
        per_log[path.name] = text.count(DROP_MARK)
    return sum(per_log.values()) + in_process, per_log


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    runs = args.runs or (1 if args.smoke or args.only else 3)
    if args.from_runs or runs > 1:
        return several_runs(args, list(sys.argv[1:] if argv is None else argv), runs)
    return one_run(args)


def several_runs(args: argparse.Namespace, argv: list[str], runs: int) -> int:
    """Each run in a process of its own (fresh Django, seed and servers); the medians go to RESULTS.md."""
    import subprocess
    from datetime import datetime

    from bench import report
    from bench.combine import combine

    mode = "smoke" if args.smoke else "full"
    runs_dir = ROOT / "var" / "bench" / f"{mode}-runs"
    results, status = [], 0
    if args.from_runs:
        # The analysis was edited after the runs: the same runs, written again.
        runs_dir = Path(args.from_runs)
        results = [json.loads(path.read_text()) for path in sorted(runs_dir.glob("run-*.json"))]
        if not results:
            print(f"bench: no run-*.json in {runs_dir}", file=sys.stderr)
            return 2
        runs = 0
    else:
        shutil.rmtree(runs_dir, ignore_errors=True)
        runs_dir.mkdir(parents=True)
    passed = _without(argv, {"--out", "--json", "--runs"})
    for n in range(1, runs + 1):
        print(f"bench: run {n} of {runs}", flush=True)
        out, out_json = runs_dir / f"run-{n}.md", runs_dir / f"run-{n}.json"
        code = subprocess.call(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                *passed,
                "--runs",
                "1",
                "--out",
                str(out),
                "--json",
                str(out_json),
            ]
        )
        status = status or code
        if not out_json.exists():
            print(f"bench: run {n} wrote no results", file=sys.stderr)
            return code or 1
        results.append(json.loads(out_json.read_text()))
    sections, targets, lines = combine(results, smoke=args.smoke)
    first = results[0]
    out_file = (
        Path(args.out) if args.out else (runs_dir / "RESULTS.md" if args.smoke else ROOT / "bench" / "RESULTS.md")
    )
    out_file.write_text(
        report.markdown(
            sections=sections,
            targets=targets,
            settings_used=first["settings_used"],
            versions_found=first["versions"],
            smoke=args.smoke,
            started=datetime.fromisoformat(first["started"]),
            elapsed=sum(r["elapsed"] for r in results),
            drops_note="; ".join(f"run {n}: {r['drops_note']}" for n, r in enumerate(results, 1)),
            analysis="" if args.smoke else _read(ROOT / "bench" / "ANALYSIS.md"),
            runs=lines,
        )
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "smoke": args.smoke,
                    "completed": True,
                    "runs": len(results),
                    "sections": {key: dataclasses.asdict(s) for key, s in sections.items()},
                    "targets": targets,
                },
                default=str,
                indent=1,
            )
        )
    print()
    print(report.table(sections))
    print()
    for label, goal, verdict in targets:
        print(f"target  {label}: {goal} -> {verdict}")
    print(f"\nbench: medians of {len(results)} runs written to {out_file}")
    return status


def _without(argv: list[str], options: set[str]) -> list[str]:
    """argv less the given options and their values (as "--out FILE" or "--out=FILE")."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in options:
            skip = True
        elif arg.split("=", 1)[0] not in options:
            kept.append(arg)
    return kept


def one_run(args: argparse.Namespace) -> int:
    sizes = Sizes(**vars(SMOKE)) if args.smoke else Sizes()
    for name in ("servers", "sockets", "tickets"):
        if getattr(args, name):
            setattr(sizes, name, getattr(args, name))
    for item in args.size:
        name, value = item.split("=", 1)
        if not hasattr(sizes, name):
            print(f"bench: no size called {name}", file=sys.stderr)
            return 2
        setattr(sizes, name, type(getattr(sizes, name))(value))
    database_url = args.database_url or default_database_url(args.smoke)
    redis_url = args.redis_url or default_redis_url()
    for url in (database_url, redis_url):
        host = urlparse(url).hostname
        if host not in {"127.0.0.1", "localhost", "::1"}:
            print(f"bench: loopback only, refusing {host}", file=sys.stderr)
            return 2
    out_dir = ROOT / "var" / "bench" / ("smoke" if args.smoke else "full")
    shutil.rmtree(out_dir, ignore_errors=True)
    (out_dir / "logs").mkdir(parents=True)
    out_file = Path(args.out) if args.out else (out_dir / "RESULTS.md" if args.smoke else ROOT / "bench" / "RESULTS.md")
    overrides = dict(item.split("=", 1) for item in args.env)
    env = process_env(database_url=database_url, redis_url=redis_url, var_dir=out_dir / "var", extra=overrides)
    os.environ.update(env)
    raise_file_limit()

    def stop_on_signal(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)

    from bench import report

    started_at = report.now()
    load_at_start = os.getloadavg()
    started = time.monotonic()
    print(f"bench: database {urlparse(database_url).path.lstrip('/')}, Redis {redis_url}", flush=True)
    ensure_database(database_url)
    # The bench's own Redis db: group memberships left by killed servers of an earlier run would
    # fill dead receive lists and log "over capacity" on every send to their groups.
    _redis_flush(redis_url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    drops = DropCounter()
    logging.getLogger("channels_redis").addHandler(drops)

    call_command("migrate", interactive=False, verbosity=0)
    from bench.seed import seed

    t0 = time.monotonic()
    plan = seed(sizes)
    seed_seconds = time.monotonic() - t0
    print(f"bench: seeded {plan['counts']} in {seed_seconds:.1f} s", flush=True)

    from bench.context import Ctx, Section
    from bench.stack import Stack

    stack = Stack(
        servers=sizes.servers,
        env=env,
        log_dir=out_dir / "logs",
        server=args.server,
        through_nginx=args.through_nginx,
    )
    ctx = Ctx(sizes=sizes, smoke=args.smoke, stack=stack, plan=plan, env=env, out_dir=out_dir, drop_counter=drops)
    ctx.only = set(args.only.split(",")) if args.only else set()
    try:
        with stack:
            print(
                f"bench: {sizes.servers} {args.server} server(s) on ports {stack.ports} and a Celery worker", flush=True
            )
            asyncio.run(measure(ctx))
    except Exception as error:
        ctx.sections["stack"] = Section("stack", "Production shape", status="failed", note=f"{error}")
    finally:
        ctx.kill_children()

    total, per_log = count_drops([*stack.logs(), *(out_dir / "logs").glob("replier-*.log")], drops.count)
    dropped = Section("drops", "Channel-layer drops (channels_redis 'over capacity' log lines)")
    dropped.put("lines", total)
    ctx.sections["drops"] = dropped
    drops_note = (
        f"{total} 'over capacity' log lines this run (each is one group_send that skipped full channels); "
        + ", ".join(f"{name}: {count}" for name, count in sorted(per_log.items()) if count)
        + (f"; in the load client: {drops.count}" if drops.count else "")
    )

    report.compute_ratios(ctx.sections)
    targets = report.judge(ctx.sections, args.smoke)
    layer = settings.CHANNEL_LAYERS["default"]
    settings_used = {
        "servers": f"{sizes.servers} × {args.server} (bench.asgi_bench around atende_chat.asgi.application), loopback"
        + (", behind nginx (deploy/nginx/atende_chat.conf)" if args.through_nginx else ""),
        "worker": "1 × Celery worker, --pool=solo",
        "channel layer": f"{layer['BACKEND']}, capacity {layer['CONFIG'].get('capacity')}, "
        f"expiry {layer['CONFIG'].get('expiry')}",
        "database": f"PostgreSQL {_pg_version()} `{urlparse(database_url).path.lstrip('/')}`, "
        f"CONN_MAX_AGE {settings.DATABASES['default'].get('CONN_MAX_AGE')}",
        "redis": f"{redis_url} (server {_redis_version(redis_url)})",
        "DEBUG": str(settings.DEBUG),
        "MESSAGE_RATE_LIMIT": f"{settings.MESSAGE_RATE_LIMIT} (off: one attendant sends hundreds a second here)",
        "data": f"{plan['counts']['tickets']} tickets, {plan['counts']['messages']} messages, "
        f"{plan['counts']['people']} people, {plan['counts']['users']} users; seeded in {seed_seconds:.1f} s",
        "sizes": ", ".join(f"{k} {v}" for k, v in vars(sizes).items()),
        "overrides (--env)": ", ".join(f"{k}={v}" for k, v in overrides.items()) or "none",
        "clock": "latencies across processes use time.monotonic() (CLOCK_MONOTONIC, one clock per machine)",
        "load average (1, 5, 15 min)": f"at start {_load(load_at_start)}, at end {_load(os.getloadavg())} "
        "(the 1-minute figure at start is what else was running; during a run the bench itself fills both cores)",
    }
    elapsed = time.monotonic() - started
    print()
    print(report.table(ctx.sections))
    print()
    for label, goal, verdict in targets:
        print(f"target  {label}: {goal} -> {verdict}")
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(
        report.markdown(
            sections=ctx.sections,
            targets=targets,
            settings_used=settings_used,
            versions_found=report.versions({}),
            smoke=args.smoke,
            started=started_at,
            elapsed=elapsed,
            drops_note=drops_note,
            # Decisions, comparisons and limits, written by hand from the runs (bench/ANALYSIS.md).
            analysis="" if args.smoke else _read(ROOT / "bench" / "ANALYSIS.md"),
        )
    )
    json_file = Path(args.json) if args.json else out_dir / "results.json"
    json_file.write_text(
        json.dumps(
            {
                "smoke": args.smoke,
                "completed": True,
                "sections": {key: dataclasses.asdict(s) for key, s in ctx.sections.items()},
                "targets": targets,
                "started": started_at.isoformat(),
                "elapsed": elapsed,
                "load_at_start": _load(load_at_start),
                "load_at_end": _load(os.getloadavg()),
                "settings_used": settings_used,
                "versions": report.versions({}),
                "drops_note": drops_note,
            },
            default=str,
            indent=1,
        )
    )
    print(f"\nbench: results written to {out_file} and {json_file} ({elapsed:.0f} s)")
    failed = [s.key for s in ctx.sections.values() if s.status == "failed"]
    missing = [s.key for s in ctx.sections.values() if s.status == "not available"]
    if failed or (missing and not args.smoke):
        print(f"bench: FAILED sections: {', '.join(failed + missing)}", file=sys.stderr)
        return 1
    return 0


def _pg_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in values)


def _redis_flush(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


def _redis_version(url: str) -> str:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        return client.info("server").get("redis_version", "?")
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())
