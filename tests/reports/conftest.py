"""A small known data set (2–4 March 2026, São Paulo time) whose figures are computed by hand in the tests."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission

from csat.models import SatisfactionAnswer
from reports.permissions import managers_group_ensure
from tests.factories import AttendantFactory, EntityFactory, ModuleFactory, PersonFactory, UserFactory
from tickets.models import Status, Ticket

SP = ZoneInfo("America/Sao_Paulo")
RANGE = "inicio=2026-03-02&fim=2026-03-04"


def local(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=SP) if day > 0 else datetime(2026, 2, 27, hour, tzinfo=SP)


@dataclass
class Known:
    ana: object
    bruno: object
    tickets: dict


def make_ticket(
    requester,
    entity,
    module,
    *,
    opened,
    attendant=None,
    first=None,
    closed=None,
    status=Status.CONCLUIDO,
    offline=False,
    score=None,
):
    ticket = Ticket.objects.create(
        requester=requester,
        entity=entity,
        module=module,
        attendant=attendant,
        opened_at=opened,
        taken_at=opened + timedelta(minutes=first) if first is not None else None,
        first_response_at=opened + timedelta(minutes=first) if first is not None else None,
        closed_at=opened + timedelta(minutes=closed) if closed is not None else None,
        status=status,
        opened_offline=offline,
    )
    if score is not None:
        SatisfactionAnswer.objects.create(
            ticket=ticket, score=score, via="email", answered_at=ticket.closed_at, changed_at=ticket.closed_at
        )
    return ticket


@pytest.fixture
def known(db) -> Known:
    ana = AttendantFactory(username="ana", first_name="Ana Paula", last_name="Schmitt")
    bruno = AttendantFactory(username="bruno", first_name="Bruno", last_name="Kowalski")
    nfe = ModuleFactory(name="Nota Fiscal Eletrônica Web")
    folha = ModuleFactory(name="Folha de Pagamento")
    rio = EntityFactory(name="Prefeitura Municipal de Rio do Sul")
    ituporanga = EntityFactory(name="Prefeitura Municipal de Ituporanga")
    p1 = PersonFactory(entity=rio)
    p2 = PersonFactory(entity=ituporanga)
    t = {}
    # Before the range, closed inside it: part of the backlog at the start.
    t[0] = make_ticket(p1, rio, nfe, opened=local(0, 10), attendant=ana, first=5, closed=(4 * 24 + 2) * 60, score=1)
    t[1] = make_ticket(p1, rio, nfe, opened=local(2, 9), attendant=ana, first=10, closed=60, score=5)
    t[2] = make_ticket(p2, ituporanga, nfe, opened=local(2, 9, 30), attendant=ana, first=20, closed=120, score=4)
    t[3] = make_ticket(
        p1,
        rio,
        folha,
        opened=local(3, 14),
        attendant=bruno,
        first=30,
        closed=240,
        status=Status.CONCLUIDO_USUARIO,
        score=2,
    )
    t[4] = make_ticket(p1, rio, folha, opened=local(3, 20), status=Status.OFFLINE, offline=True)
    t[5] = make_ticket(p1, rio, nfe, opened=local(4, 10), attendant=bruno, first=40, status=Status.EM_ATENDIMENTO)
    t[6] = make_ticket(
        p2, ituporanga, folha, opened=local(4, 11), attendant=ana, first=50, closed=30, status=Status.CANCELADO
    )
    return Known(ana=ana, bruno=bruno, tickets=t)


@pytest.fixture
def manager(db):
    user = UserFactory(username="gestora", first_name="Gestora", is_staff=True)
    user.groups.add(managers_group_ensure(Group, Permission))
    return user
