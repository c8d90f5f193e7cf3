"""A/B of how a message's events leave after the commit (issue 16, point 9): batched or one by one.

    DATABASE_URL=... REDIS_URL=... python -m bench.events_batch [--messages 400] [--tickets 20]

Runs ``tickets.services.ticket_message_create`` the way an ASGI server runs a sync view (in a
``sync_to_async`` thread of an event loop, as bench/replier.py), on a freshly migrated database of
its own (the script adds people and tickets made by the tests' factories and leaves them), with one
listening channel in every group a reply reaches so that ``group_send`` really delivers. Variants, alternated in rounds:

- ``batched``: the services as committed (``@realtime.batched``: one ``on_commit`` per event that adds
  it to the call's batch, one more that sends the batch in one ``async_to_sync``);
- ``one-by-one``: plain per-event ``transaction.on_commit``, each event its own ``async_to_sync``
  (``send_on_commit`` and ``after_commit`` replaced for the run; no de-duplication).

Run from another checkout (``PYTHONPATH=/path/to/other``) the same script measures that code as
``as-found`` when it has no ``realtime.batched`` (the version that read Django's private state).
Prints, per variant and kind of message (an attendant's reply, a requester's message): SQL statements,
``group_send``s and loop trips per message, wall and CPU milliseconds per message (median of rounds).
"""

import argparse
import asyncio
import json
import statistics
import time
from functools import partial


def _setup_django():
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atende_chat.settings")

    django.setup()


def _world(tickets: int):
    from tests.factories import AttendantFactory, ModuleFactory, PersonFactory
    from tickets import services

    attendant = AttendantFactory()
    module = ModuleFactory()
    opened = []
    for _ in range(tickets):
        person = PersonFactory()
        ticket = services.ticket_open(requester=person, module_id=module.pk, reason="Medindo eventos")
        services.ticket_take(ticket=ticket, attendant=attendant)
        opened.append(ticket)
    return attendant, opened


def _plain(realtime):
    """Per-event on_commit, as the services would send without a batch."""
    from django.db import transaction

    def send_on_commit(group, build_event, key=None):
        transaction.on_commit(partial(realtime._build_and_send, [(group, key, build_event)]), robust=True)

    def after_commit(action, *, key=None):
        transaction.on_commit(partial(realtime._run, action), robust=True)

    return {"send_on_commit": send_on_commit, "after_commit": after_commit}


def measure(args) -> dict:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.db import connection

    from tickets import realtime, services
    from tickets.models import Ticket

    settings.MESSAGE_RATE_LIMIT = 0
    attendant, tickets = _world(args.tickets)
    layer = get_channel_layer()

    async def listen() -> None:
        for ticket in tickets:
            for group in (realtime.ticket_group(ticket.pk), realtime.person_group(ticket.requester_id)):
                await layer.group_add(group, await layer.new_channel())
        await layer.group_add(realtime.QUEUE_GROUP, await layer.new_channel())

    async_to_sync(listen)()
    counts = {"statements": 0, "group_sends": 0, "trips": 0}
    group_send, send_all = layer.group_send, realtime._send_all

    async def counting_group_send(group, message):
        counts["group_sends"] += 1
        await group_send(group, message)

    def counting_send_all(events):
        counts["trips"] += 1
        send_all(events)

    def counting_execute(execute, sql, params, many, context):
        counts["statements"] += 1
        return execute(sql, params, many, context)

    layer.group_send = counting_group_send
    realtime._send_all = counting_send_all
    variants = ["batched", "one-by-one"] if hasattr(realtime, "batched") else ["as-found"]
    names = [name for name in ("send_on_commit", "after_commit") if hasattr(realtime, name)]
    originals = {name: getattr(realtime, name) for name in names}
    results: dict[str, dict[str, list]] = {}
    people = {ticket.pk: ticket.requester.user for ticket in tickets}
    sent = 0

    def one_round(variant: str, kind: str) -> None:
        nonlocal sent
        for name, value in (_plain(realtime) if variant == "one-by-one" else originals).items():
            setattr(realtime, name, value)
        for key in counts:
            counts[key] = 0
        wall = cpu = 0.0
        with connection.execute_wrapper(counting_execute):
            for number in range(args.messages):
                ticket = Ticket.objects.select_related("requester").get(pk=tickets[number % len(tickets)].pk)
                counts["statements"] -= 1  # the fetch above is the view's, not the service's
                user = attendant if kind == "reply" else people[ticket.pk]
                start, start_cpu = time.perf_counter(), time.process_time()
                services.ticket_message_create(ticket=ticket, user=user, body=f"Mensagem {sent}")
                wall += time.perf_counter() - start
                cpu += time.process_time() - start_cpu
                sent += 1
        row = results.setdefault(f"{variant} {kind}", {"wall_ms": [], "cpu_ms": [], "per_message": []})
        row["wall_ms"].append(wall * 1000 / args.messages)
        row["cpu_ms"].append(cpu * 1000 / args.messages)
        row["per_message"].append({key: value / args.messages for key, value in counts.items()})

    for variant in variants:  # warm-up: templates, pools, code paths
        one_round(variant, "reply")
    for variant in variants:
        results.pop(f"{variant} reply")
    for _round in range(args.rounds):
        for variant in variants:
            for kind in ("reply", "requester"):
                one_round(variant, kind)
    for name, value in originals.items():
        setattr(realtime, name, value)
    async_to_sync(layer.flush)()
    return {
        name: {
            "wall_ms_median": round(statistics.median(row["wall_ms"]), 3),
            "wall_ms_runs": [round(value, 3) for value in row["wall_ms"]],
            "cpu_ms_median": round(statistics.median(row["cpu_ms"]), 3),
            **row["per_message"][-1],
        }
        for name, row in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400, help="messages per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tickets", type=int, default=20)
    args = parser.parse_args()
    _setup_django()

    async def run() -> dict:
        from asgiref.sync import sync_to_async

        return await sync_to_async(measure, thread_sensitive=True)(args)

    print(json.dumps(asyncio.run(run()), indent=2))


if __name__ == "__main__":
    main()
