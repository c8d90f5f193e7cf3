"""Every event the services send has its declared shape (tickets/events.py), and every declared shape is
sent by some service and handled by some consumer (issue 16, point 9).

The events are recorded where they really leave: the channel layer's ``group_send``, with the
services run for real (routing on, commits, the dispatch after them). A field renamed in a builder,
an event type added without a declaration, or a declaration no service sends any more fails here,
not in a page that silently stops updating.
"""

from datetime import timedelta

import pytest
from channels.layers import get_channel_layer
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern
from django.utils import timezone

import routing.events  # noqa: F401 (routing's declarations)
from routing import services as routing_services
from routing.models import Offer
from routing.routing import websocket_urlpatterns as routing_patterns
from tests.realtime.conftest import logged_client
from tickets import events, services
from tickets.models import Status
from tickets.routing import websocket_urlpatterns as tickets_patterns

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, dict]]:
    """Every (group, event) given to the channel layer from now on; the layer still sends them."""
    layer = get_channel_layer()
    original = layer.group_send
    recorded: list[tuple[str, dict]] = []

    async def recording(group, message):
        recorded.append((group, message))
        await original(group, message)

    monkeypatch.setattr(layer, "group_send", recording)
    return recorded


def every_service_that_publishes(*, person, other_person, attendant, attendant2, module) -> None:
    """Each path that sends an event, once: opening, routing's offer, replies, reads, statuses, closing, access."""
    routing_services.attendant_capacity_set(user=attendant, capacity=5)
    routing_services.attendant_availability_set(user=attendant, available=True)
    upload = SimpleUploadedFile("nota.txt", b"conteudo da nota\n", content_type="text/plain")
    ticket = services.ticket_open(requester=person, module_id=module.pk, reason="Preciso de ajuda", files=[upload])
    offer = Offer.objects.get(ticket=ticket, state=Offer.State.PENDING)
    routing_services.offer_accept(offer_id=offer.pk, user=attendant)
    services.ticket_message_create(ticket=ticket, user=attendant, body="Bom dia, em que posso ajudar?")
    services.ticket_message_create(ticket=ticket, user=person.user, body="Obrigado")
    services.ticket_mark_read(ticket=ticket, user=person.user)
    services.ticket_mark_read(ticket=ticket, user=attendant)
    services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.AGUARDANDO_RETORNO)
    services.ticket_transfer(ticket=ticket, attendant=attendant, to=attendant2)
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)

    routing_services.attendant_availability_set(user=attendant, available=False)
    late = services.ticket_open(
        requester=other_person, module_id=module.pk, reason="Ninguém atendeu", now=timezone.now() - timedelta(hours=1)
    )
    assert routing_services.overdue_alert_sweep() == [late.pk]
    services.ticket_take_next(attendant=attendant2)

    # Access: a logout, a user changed, an entity's chat switched off.
    client, _cookie = logged_client(person.user)
    client.logout()
    attendant.first_name = "Outro"
    attendant.save()
    entity = person.entity
    entity.online_chat_enabled = False
    entity.save()


def test_every_event_sent_has_its_declared_shape_and_every_shape_is_sent(
    sent, settings, person, other_person, attendant, attendant2, module
):
    settings.ROUTING_ENABLED = True
    settings.QUEUE_OVERDUE_SECONDS = 60
    every_service_that_publishes(
        person=person, other_person=other_person, attendant=attendant, attendant2=attendant2, module=module
    )

    problems = [(group, event, events.event_errors(event)) for group, event in sent if events.event_errors(event)]
    assert not problems, problems
    assert {event["type"] for _group, event in sent} == set(events.SHAPES)
    # Both forms of a line: the requester's "Mensagens Anteriores" while nobody had answered, and the plain one.
    messages = [event["message"] for _group, event in sent if event["type"] == "ticket.message"]
    assert any("html_previous" in message for message in messages)
    assert any("html_previous" not in message for message in messages)


def test_every_declared_event_is_handled_by_a_consumer():
    """Channels calls the method named for the type ("ticket.message" -> ticket_message); none may be missing."""
    consumers = {pattern.callback.consumer_class for pattern in [*tickets_patterns, *routing_patterns]}
    assert all(isinstance(pattern, URLPattern) for pattern in [*tickets_patterns, *routing_patterns])
    unhandled = [
        name
        for name in events.SHAPES
        if not any(callable(getattr(consumer, name.replace(".", "_"), None)) for consumer in consumers)
    ]
    assert not unhandled


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({"type": "person.badge", "unread": "3"}, "unread: expected an integer"),
        ({"type": "person.badge", "unread": True}, "unread: expected an integer"),
        ({"type": "person.badge"}, "unread: missing"),
        ({"type": "person.badge", "unread": 3, "count": 3}, "count: not declared"),
        ({"type": "ticket.status", "ticket": {"id": 1, "status": "x", "closed": False}}, "status_display: missing"),
        ({"type": "ticket.message", "message": {"id": 1, "html": {"pt-br": 3}}}, "expected str"),
        ({"type": "routing.overdue", "tickets": [1, "2"]}, "tickets[1]: expected an integer"),
        ({"type": "session.closed", "session_key": 5}, "fits none"),
        ({"type": "ticket.typo"}, "undeclared event type"),
    ],
)
def test_an_event_off_its_shape_is_reported(event, problem):
    assert any(problem in error for error in events.event_errors(event)), events.event_errors(event)


def test_a_well_formed_event_passes():
    assert events.event_errors({"type": "session.closed", "session_key": None}) == []
    assert events.event_errors({"type": "routing.offer", "offer": 1, "ticket": 2}) == []
