"""Routing by capacity (issue 20), in the load client's process against the bench database and Redis:

- decisions per second: one dispatch offering `routing_waiting` waiting tickets to `routing_attendants`
  available attendants with exactly that much room (offers written, events published, expiry tasks queued);
- creation to offer: with `routing_waiting` tickets waiting (all offered, none accepted) and the attendants
  with room to spare, a new ticket opened through tickets.services.ticket_open until its offer exists
  (the dispatch runs after the opening's commit, in the same request, as in production).

Each figure is the median of `routing_runs` runs. Runs last: the seeded waiting tickets are set aside
(cancelled) so that exactly this section's tickets wait.
"""

import math
import statistics
import time
from datetime import timedelta

from asgiref.sync import sync_to_async

from .context import Section
from .stats import percentile


async def routing(ctx) -> list[Section]:
    """As a server runs a sync view: sync_to_async from the event loop, so the services' events go out on
    that loop and its Redis connections (a thread of its own would open new ones for every transaction)."""
    return await sync_to_async(_routing, thread_sensitive=False)(ctx)


def _routing(ctx) -> list[Section]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db import connection
    from django.utils import timezone

    from people.models import Contact, Entity
    from people.services import contact_add, person_create
    from routing.models import AttendantState, Offer
    from routing.services import routing_dispatch
    from tickets import services
    from tickets.models import WAITING_STATUSES, Module, Status, Ticket
    from tickets.permissions import attendants_group_ensure

    sizes = ctx.sizes
    settings.ROUTING_ENABLED = True
    # Offers must not expire (and be re-dispatched by the worker) in the middle of a run.
    settings.ROUTING_OFFER_SECONDS = 3600
    settings.OPEN_TICKETS_MAX = 0
    settings.MESSAGE_RATE_LIMIT = 0  # one requester opens hundreds of tickets here
    Ticket.objects.filter(status__in=WAITING_STATUSES).update(status=Status.CANCELADO)
    AttendantState.objects.update(available=False)
    Offer.objects.all().delete()
    User = get_user_model()
    group = attendants_group_ensure(Group, Permission)
    users = []
    for n in range(sizes.routing_attendants):
        user, _ = User.objects.get_or_create(username=f"bench-routing-{n}", defaults={"is_staff": True})
        user.groups.add(group)
        users.append(user)
    entity = Entity.objects.filter(online_chat_enabled=True).order_by("pk").first()
    module = Module.objects.filter(active=True).order_by("pk").first()
    requester_user, created = User.objects.get_or_create(username="bench-routing-requester")
    if created:
        person = person_create(entity=entity, name="SERVIDOR DO BENCH DE ROTEAMENTO", document="", user=requester_user)
        contact_add(person=person, kind=Contact.Kind.EMAIL, value="roteamento@bench.example.com")
        contact_add(person=person, kind=Contact.Kind.PHONE, value="(47) 3531-1500")
    person = requester_user.person

    def set_capacity(capacity: int) -> None:
        AttendantState.objects.filter(user__in=users).delete()
        AttendantState.objects.bulk_create(
            AttendantState(user=user, capacity=capacity, available=True) for user in users
        )

    def vacuum() -> None:
        # The runs rewrite thousands of rows; production tables are autovacuumed, so is this one between runs.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tickets_ticket")
            cursor.execute("VACUUM ANALYZE routing_offer")
            cursor.execute("VACUUM ANALYZE routing_attendantstate")

    def fill_queue() -> None:
        Ticket.objects.filter(status__in=WAITING_STATUSES).update(status=Status.CANCELADO)
        start = timezone.now() - timedelta(hours=1)
        Ticket.objects.bulk_create(
            Ticket(
                requester=person,
                entity_id=person.entity_id,
                module=module,
                status=Status.NAO_INICIADO,
                opened_at=start + timedelta(seconds=i),
            )
            for i in range(sizes.routing_waiting)
        )

    decisions = Section("routing_decisions", "Routing decisions (one dispatch of the whole queue)")
    rates = []
    for _ in range(sizes.routing_runs):
        fill_queue()
        Offer.objects.all().delete()
        set_capacity(math.ceil(sizes.routing_waiting / sizes.routing_attendants))
        vacuum()
        started = time.perf_counter()
        offers = routing_dispatch()
        elapsed = time.perf_counter() - started
        assert len(offers) == sizes.routing_waiting, len(offers)
        rates.append(len(offers) / elapsed)
    decisions.put("decisions_per_s", statistics.median(rates), "/s")
    decisions.put("runs", len(rates))
    decisions.put("min_per_s", min(rates), "/s")
    decisions.put("max_per_s", max(rates), "/s")

    offer = Section("routing_offer", "Routing: a new ticket's creation to its offer")
    p50s, p95s, p99s = [], [], []
    for _ in range(sizes.routing_runs):
        fill_queue()
        Offer.objects.all().delete()
        set_capacity(math.ceil((sizes.routing_waiting + sizes.routing_samples) / sizes.routing_attendants))
        routing_dispatch()  # every waiting ticket offered, none accepted
        vacuum()
        samples = []
        for _ in range(sizes.routing_samples):
            started = time.perf_counter()
            ticket = services.ticket_open(requester=person, module_id=module.pk, reason="Bench de roteamento")
            offered = Offer.objects.filter(ticket=ticket, state=Offer.State.PENDING).exists()
            samples.append(time.perf_counter() - started)
            assert offered, ticket.pk
        ms = [s * 1000 for s in samples]
        p50s.append(percentile(ms, 50))
        p95s.append(percentile(ms, 95))
        p99s.append(percentile(ms, 99))
    offer.put("n", sizes.routing_samples * sizes.routing_runs)
    offer.put("p50", statistics.median(p50s), "ms")
    offer.put("p95", statistics.median(p95s), "ms")
    offer.put("p99", statistics.median(p99s), "ms")
    offer.put("p95_runs", ", ".join(f"{value:.1f}" for value in p95s), "ms")
    offer.note = (
        f"{sizes.routing_waiting} tickets waiting (all offered), {sizes.routing_attendants} attendants available; "
        "ticket_open (validation, insert, opening message, commit) then the dispatch after the commit; "
        "median of the runs' percentiles"
    )
    AttendantState.objects.filter(user__in=users).update(available=False)
    Offer.objects.filter(state=Offer.State.PENDING).update(state=Offer.State.WITHDRAWN)
    connection.close()
    return [decisions, offer]
