"""A person holds only a few open tickets at once (issue 15, point 10).

Threat: a script (or a confused user) opens hundreds of tickets that fill the attendants' queue and
bury everyone else's; the rate limit alone lets 30 a minute through.
"""

import pytest
from django.urls import reverse

from tickets import errors, services
from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


def test_the_default_is_ten(settings):
    assert settings.OPEN_TICKETS_MAX == 10


def test_past_the_limit_opening_is_refused_in_portuguese_and_saves_nothing(settings, person_client, person, module):
    settings.OPEN_TICKETS_MAX = 3
    for i in range(3):
        assert person_client.post("/chat/novo/", {"module": module.pk, "reason": f"Dúvida {i}"}).status_code == 302
    response = person_client.post("/chat/novo/", {"module": module.pk, "reason": "Mais uma"})
    assert response.status_code == 400
    message = errors.TOO_MANY_OPEN_TICKETS.format(limit=3)
    assert message.startswith("Você já tem 3 atendimentos em aberto.")
    assert message in response.content.decode()
    assert "Mais uma</textarea>" in response.content.decode()
    assert Ticket.objects.filter(requester=person).count() == 3
    # Closing one frees a place.
    ticket = Ticket.objects.filter(requester=person).first()
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    assert person_client.post("/chat/novo/", {"module": module.pk, "reason": "Agora sim"}).status_code == 302


def test_phone_tickets_count_and_the_attendant_reads_whose_limit_it_is(
    settings, person, module, attendant, attendant_client
):
    settings.OPEN_TICKETS_MAX = 2
    for _ in range(2):
        services.ticket_register_phone(attendant=attendant, requester=person, module_id=module.pk, reason="Ligou")
    response = attendant_client.post(
        reverse("admin:tickets_ticket_add"), {"requester": person.pk, "module": module.pk, "reason": "De novo"}
    )
    assert response.status_code == 400
    assert errors.TOO_MANY_OPEN_TICKETS_PHONE.format(name=person.name, limit=2) in response.content.decode()
    assert Ticket.objects.filter(requester=person, status=Status.NAO_INICIADO).count() == 2
