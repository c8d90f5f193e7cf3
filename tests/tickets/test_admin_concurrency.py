"""B4: two attendants pressing "Atender próximo" at the same moment never get the same ticket.

Real threads, each with its own PostgreSQL connection and transaction, so the row locks
(select_for_update with skip_locked) are what keeps them apart.
"""

import threading

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection

from tests.factories import UserFactory
from tickets import errors, services
from tickets.models import Status, Ticket
from tickets.selectors import ATTENDANTS_GROUP


@pytest.fixture
def racing_attendants(transactional_db):
    """Two attendants; the group is made here because a transactional test may start on a flushed database."""
    group, _ = Group.objects.get_or_create(name=ATTENDANTS_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="tickets", codename="attend_ticket"))
    users = [UserFactory(username=f"corrida{n}", is_staff=True) for n in range(2)]
    for user in users:
        user.groups.add(group)
    return users


def race(attendants, rounds: int) -> list[list[tuple[str, int | str]]]:
    """Each attendant takes `rounds` times, all starting together; returns each one's results."""
    start = threading.Barrier(len(attendants))
    results: list[list[tuple[str, int | str]]] = [[] for _ in attendants]
    failures: list[BaseException] = []

    def work(index: int) -> None:
        try:
            start.wait(timeout=10)
            for _ in range(rounds):
                try:
                    ticket = services.ticket_take_next(attendant=attendants[index])
                except errors.InvalidInput as refusal:
                    results[index].append(("vazia", refusal.message))
                else:
                    results[index].append(("assumiu", ticket.pk))
        except BaseException as failure:  # reported below, so a crash in a thread fails the test
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(attendants))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    return results


@pytest.mark.django_db(transaction=True)
def test_two_attendants_racing_for_one_waiting_ticket_exactly_one_gets_it(racing_attendants, person, open_ticket):
    for _ in range(5):
        ticket = open_ticket(person)

        first, second = race(racing_attendants, rounds=1)

        outcomes = sorted([first[0], second[0]])
        assert outcomes == [("assumiu", ticket.pk), ("vazia", errors.QUEUE_EMPTY)]
        ticket.refresh_from_db()
        assert ticket.status == Status.EM_ATENDIMENTO
        winner = racing_attendants[0] if first[0][0] == "assumiu" else racing_attendants[1]
        assert ticket.attendant == winner


@pytest.mark.django_db(transaction=True)
def test_two_attendants_draining_the_queue_never_share_a_ticket(racing_attendants, person, open_ticket, settings):
    settings.OPEN_TICKETS_MAX = 20  # 12 open at once: more than the default allows one person
    opened = {open_ticket(person).pk for _ in range(12)}

    first, second = race(racing_attendants, rounds=8)

    taken = [number for kind, number in first + second if kind == "assumiu"]
    assert sorted(taken) == sorted(opened)  # every ticket once, none twice
    assert len(set(taken)) == len(taken)
    assert Ticket.objects.filter(status=Status.EM_ATENDIMENTO, attendant__in=racing_attendants).count() == 12
