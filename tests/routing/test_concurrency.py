"""Two attendants never get the same ticket, with routing on and many parallel takers (B4).

Real threads, each with its own PostgreSQL connection and transaction, released together by a
barrier: some accept the offers routing made them, some press "Atender próximo", some assume a
given ticket, while others dispatch again. The row locks are what keep them apart.
"""

import random
import threading
from collections import Counter

import pytest
from django.db import connection

from atende_chat.errors import ApplicationError
from routing import services
from routing.models import Offer
from tests.factories import AttendantFactory
from tickets import services as tickets_services
from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

TAKERS = 12
TICKETS = 40


def run_together(workers) -> list[BaseException]:
    barrier = threading.Barrier(len(workers))
    failures: list[BaseException] = []

    def run(work) -> None:
        try:
            barrier.wait(timeout=20)
            work()
        except BaseException as failure:  # reported by the test
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return failures


def test_many_parallel_takers_never_share_a_ticket(settings, person, other_person, open_ticket):
    settings.ROUTING_ENABLED = True
    settings.OPEN_TICKETS_MAX = 0
    attendants = [AttendantFactory(username=f"paralelo{n}") for n in range(TAKERS)]
    tickets = [open_ticket(person if n % 2 else other_person) for n in range(TICKETS)]
    for attendant in attendants:
        services.attendant_capacity_set(user=attendant, capacity=3)
        services.attendant_availability_set(user=attendant, available=True)
    services.routing_dispatch()
    assert Offer.objects.filter(state=Offer.State.PENDING).count() == TAKERS * 3
    won: list[tuple[int, int]] = []  # (ticket, attendant) each thread says it got
    lock = threading.Lock()

    def taker(index: int):
        attendant = attendants[index]
        rng = random.Random(index)

        def work() -> None:
            for _ in range(8):
                choice = rng.choice(["accept", "next", "take", "dispatch"])
                try:
                    if choice == "accept":
                        offer = Offer.objects.filter(attendant=attendant, state=Offer.State.PENDING).first()
                        if offer is None:
                            continue
                        ticket = services.offer_accept(offer_id=offer.pk, user=attendant)
                    elif choice == "next":
                        ticket = tickets_services.ticket_take_next(attendant=attendant)
                    elif choice == "take":
                        target = Ticket.objects.get(pk=rng.choice(tickets).pk)
                        ticket = tickets_services.ticket_take(ticket=target, attendant=attendant)
                        if ticket.taken_at is None:
                            continue
                    else:
                        services.routing_dispatch()
                        continue
                except ApplicationError:
                    continue
                with lock:
                    won.append((ticket.pk, attendant.pk))

        return work

    failures = run_together([taker(index) for index in range(TAKERS)])

    assert failures == []
    holders: dict[int, set[int]] = {}
    for ticket_id, attendant_id in won:
        holders.setdefault(ticket_id, set()).add(attendant_id)
    # Taking one's own ticket again answers it as "already yours": one holder per ticket, always.
    assert all(len(ids) == 1 for ids in holders.values()), holders
    taken = {t.pk: t.attendant_id for t in Ticket.objects.filter(status=Status.EM_ATENDIMENTO)}
    assert {ticket_id: ids.pop() for ticket_id, ids in holders.items()} == taken
    assert len(taken) >= TAKERS  # real contention: many takes happened
    # No ticket is ever offered to two attendants at once, and an accepted offer's ticket is its attendant's.
    pending = Counter(Offer.objects.filter(state=Offer.State.PENDING).values_list("ticket_id", flat=True))
    assert all(count == 1 for count in pending.values())
    for offer in Offer.objects.filter(state=Offer.State.ACCEPTED):
        assert taken[offer.ticket_id] == offer.attendant_id
