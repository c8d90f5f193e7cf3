"""An attendant answering through the one write path, in a process of its own (as a web server would).

    python -m bench.replier serve
        reads one JSON command a line on stdin, {"ticket": id, "user": id, "body": "..."}, calls
        tickets.services.ticket_message_create and answers one JSON line: {"t0", "t1", "ids", "error"}.
        t0/t1 are time.monotonic() (CLOCK_MONOTONIC, shared by every process of the machine) taken
        right before and after the call, so the load client can time the path up to its socket.
    python -m bench.replier rate --user U --tickets 1,2,3 --rate R --seconds S --max N [--out FILE]
        sends N replies at most, R a second for S seconds at most, round-robin over the tickets;
        writes "message_id t0" lines to FILE and a JSON summary on stdout.
Both run the way an ASGI server runs a sync view: inside an asyncio loop, in a sync_to_async thread, so
the broadcasts' async_to_sync comes back to that loop and reuses its Redis pool (as in daphne) instead
of opening a new loop and connection per commit (a plain script's path, not production's).
Logs (channels_redis "over capacity" lines included) go to stderr.
"""

import argparse
import asyncio
import json
import sys
import time


def _setup():
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from tickets.models import Ticket
    from tickets.services import ticket_message_create

    return get_user_model(), Ticket, ticket_message_create


def serve() -> int:
    User, Ticket, ticket_message_create = _setup()
    users: dict[int, object] = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        user_id = int(command["user"])
        if user_id not in users:
            users[user_id] = User.objects.get(pk=user_id)
        answer: dict = {"ticket": command["ticket"], "ids": [], "error": None}
        try:
            ticket = Ticket.objects.select_related("requester").get(pk=command["ticket"])
            answer["t0"] = time.monotonic()
            created = ticket_message_create(ticket=ticket, user=users[user_id], body=command.get("body") or "Resposta.")
            answer["t1"] = time.monotonic()
            answer["ids"] = [message.pk for message in created]
        except Exception as error:  # reported to the client, which fails the measurement loudly
            answer["error"] = f"{type(error).__name__}: {error}"
            answer.setdefault("t0", time.monotonic())
            answer["t1"] = time.monotonic()
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


def rate(args: argparse.Namespace) -> int:
    User, Ticket, ticket_message_create = _setup()
    user = User.objects.get(pk=args.user)
    ticket_ids = [int(t) for t in args.tickets.split(",") if t]
    sent = errors = 0
    first_error = None
    service_times: list[float] = []
    out = open(args.out, "w") if args.out else None  # noqa: SIM115 (closed below)
    start, cpu_start = time.monotonic(), time.process_time()
    try:
        while sent + errors < args.max and time.monotonic() - start < args.seconds:
            due = start + (sent + errors) / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            ticket_id = ticket_ids[(sent + errors) % len(ticket_ids)]
            try:
                ticket = Ticket.objects.select_related("requester").get(pk=ticket_id)
                t0 = time.monotonic()
                created = ticket_message_create(ticket=ticket, user=user, body=f"Mensagem de carga {sent}.")
                service_times.append(time.monotonic() - t0)
                sent += 1
                if out:
                    for message in created:
                        out.write(f"{message.pk} {t0:.6f} {ticket_id}\n")
            except Exception as error:
                errors += 1
                first_error = first_error or f"{type(error).__name__}: {error}"
    finally:
        if out:
            out.close()
    elapsed = time.monotonic() - start
    service_times.sort()
    summary = {
        "sent": sent,
        "errors": errors,
        "first_error": first_error,
        "elapsed": elapsed,
        "rate": sent / elapsed if elapsed else 0.0,
        "cpu_s": time.process_time() - cpu_start,
        "service_p50_ms": service_times[len(service_times) // 2] * 1000 if service_times else None,
        "service_p95_ms": service_times[int(len(service_times) * 0.95)] * 1000 if service_times else None,
    }
    print(json.dumps(summary), flush=True)
    return 0 if not errors else 1


def as_server(func, *args) -> int:
    async def run() -> int:
        from asgiref.sync import sync_to_async

        return await sync_to_async(func, thread_sensitive=True)(*args)

    return asyncio.run(run())


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    sub.add_parser("serve")
    rate_parser = sub.add_parser("rate")
    rate_parser.add_argument("--user", type=int, required=True)
    rate_parser.add_argument("--tickets", required=True)
    rate_parser.add_argument("--rate", type=float, required=True)
    rate_parser.add_argument("--seconds", type=float, required=True)
    rate_parser.add_argument("--max", type=int, required=True)
    rate_parser.add_argument("--out")
    args = parser.parse_args()
    return as_server(serve) if args.mode == "serve" else as_server(rate, args)


if __name__ == "__main__":
    sys.exit(main())
