"""Nobody waits unseen (routing/): the requester's place moving live, offers accepted or expiring to the next
attendant, and an attendant who goes away giving back the tickets they had not answered.

Each test makes its own people and attendants on the shared stack (routing on, offers of 15 s). Its tickets
are opened "earlier" than anything else waiting, so they are the head of the queue whatever other journeys
left behind; its attendants are made away at the end, so nothing more is offered to them.
"""

import json
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from .conftest import Stack, log_in
from .helpers import take_ticket

WORLD = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from people.models import Contact, Entity
from people.services import contact_add, person_create
from routing.services import attendant_capacity_set
from tickets import services
from tickets.models import WAITING_STATUSES, Module, Ticket
from tickets.permissions import attendants_group_ensure

User = get_user_model()
group = attendants_group_ensure(Group, Permission)
attendants = []
for n in (1, 2):
    user = User.objects.create_user("rot{tag}" + str(n), password="rot{tag}" + str(n), is_staff=True)
    user.groups.add(group)
    attendant_capacity_set(user=user, capacity=50)
    attendants.append(user.username)
entity = Entity.objects.filter(online_chat_enabled=True).order_by("pk").first()
module = Module.objects.get(name="Nota Fiscal Eletrônica Web")
people = []
for n in (1, 2):
    name = "req{tag}" + str(n)
    user = User.objects.create_user(name, password=name)
    person = person_create(entity=entity, name="SERVIDORA DA FILA " + str(n), document="", user=user)
    contact_add(person=person, kind=Contact.Kind.EMAIL, value=name + "@riodosul.sc.gov.br")
    contact_add(person=person, kind=Contact.Kind.PHONE, value="(47) 3531-1200")
    people.append(person)
head = Ticket.objects.filter(status__in=WAITING_STATUSES).order_by("opened_at").values_list("opened_at", flat=True)
first = (head.first() or timezone.now()) - timedelta(hours=1)
tickets = [
    services.ticket_open(
        requester=person, module_id=module.pk, reason="Fila " + str(index), now=first + timedelta(minutes=index)
    ).pk
    for index, person in enumerate([people[0], people[1], people[0]])
]
print(json.dumps({{"attendants": attendants, "requesters": [p.user.username for p in people], "tickets": tickets}}))
"""

AWAY = """
from django.contrib.auth import get_user_model
from routing.services import attendant_availability_set
for user in get_user_model().objects.filter(username__startswith="rot{tag}"):
    attendant_availability_set(user=user, available=False)
"""

TAKE = """
from django.contrib.auth import get_user_model
from tickets import services
from tickets.models import Ticket
attendant = get_user_model().objects.get(username="atendente")
services.ticket_take(ticket=Ticket.objects.get(pk={number}), attendant=attendant)
"""


@pytest.fixture
def world(stack: Stack):
    tag = uuid.uuid4().hex[:6]
    out = stack.manage("shell", "-c", WORLD.format(tag=tag))
    data = json.loads(out.strip().splitlines()[-1])
    yield data
    stack.manage("shell", "-c", AWAY.format(tag=tag))


def login_page(new_context, username: str) -> Page:
    page = new_context().new_page()
    return log_in(page, username)


def offer(page: Page, number: int):
    return page.locator(".routing-offer").filter(has_text=re.compile(rf"Atendimento {number} \("))


def become_available(page: Page) -> None:
    page.goto("/admin/tickets/ticket/")
    bar = page.locator("#routing-bar")
    expect(bar.locator("#routing-state")).to_have_text("Ausente")
    bar.get_by_role("button", name="Ficar disponível").click()
    expect(page.locator("#routing-bar #routing-state")).to_have_text("Disponível")


def queue_numbers(page: Page) -> list[int]:
    texts = page.locator("#result_list tbody tr th, #result_list tbody tr td.field-number").all_inner_texts()
    return [int(text) for text in texts if text.strip().isdigit()]


def test_the_requesters_place_and_estimate_move_live_on_the_conversation_and_the_panel(
    stack: Stack, world, new_context
):
    first, second, _third = world["tickets"]
    conversation = login_page(new_context, world["requesters"][1])
    conversation.goto(f"/chat/atendimentos/{second}/")
    line = conversation.locator("#wait-position")
    expect(line).to_contain_text("Você é o 2º da fila", timeout=15_000)
    expect(line).to_contain_text(re.compile(r"previsão: cerca de \d+ min"))
    panel = conversation.context.new_page()
    panel.goto("/chat/atendimento-on-line/")
    row_line = panel.locator(f'tr.ticket-row[data-number="{second}"] .wait-position-cell')
    expect(row_line).to_contain_text("Você é o 2º da fila", timeout=15_000)

    stack.manage("shell", "-c", TAKE.format(number=first))  # the ticket ahead is taken

    expect(line).to_contain_text("Você é o 1º da fila", timeout=15_000)
    expect(row_line).to_contain_text("Você é o 1º da fila", timeout=15_000)
    expect(line).to_contain_text(re.compile(r"previsão: cerca de \d+ min"))


def test_an_offer_not_accepted_in_time_goes_to_the_next_attendant_who_accepts_it(world, new_context):
    first = world["tickets"][0]
    slow = login_page(new_context, world["attendants"][0])
    become_available(slow)
    expect(offer(slow, first)).to_be_visible(timeout=30_000)  # the head of the queue, to the first available
    quick = login_page(new_context, world["attendants"][1])
    become_available(quick)
    tones_before = int(quick.locator("#routing-bar").get_attribute("data-tones") or 0)

    # Nobody accepts on the first page: after 15 s the worker expires the offer and it goes to the other.
    expect(offer(quick, first)).to_be_visible(timeout=60_000)
    expect(offer(slow, first)).to_have_count(0, timeout=15_000)
    assert int(quick.locator("#routing-bar").get_attribute("data-tones") or 0) > tones_before  # the tone played
    expect(quick).to_have_title(re.compile(r"^\(!\) Atendimento aguardando"))

    offer(quick, first).get_by_role("button", name="Aceitar").click()
    expect(quick).to_have_url(re.compile(rf"/admin/tickets/ticket/{first}/change/$"))
    expect(quick.locator(".messagelist")).to_contain_text(f"Você assumiu o atendimento {first}.")


def test_an_attendant_who_goes_away_returns_the_tickets_not_answered_in_their_order(world, new_context):
    first, second, third = world["tickets"]
    requester = login_page(new_context, world["requesters"][0])
    attendant = login_page(new_context, world["attendants"][0])
    for number in (first, second, third):  # by hand: the return does not depend on how they were taken
        take_ticket(attendant, number)
    become_available(attendant)
    attendant.goto(f"/admin/tickets/ticket/{second}/change/")
    attendant.get_by_label("Mensagem:").fill("Já estou vendo o seu caso.")
    attendant.get_by_role("button", name="Enviar", exact=True).click()
    expect(attendant.locator("#dialog")).to_contain_text("Já estou vendo o seu caso.")
    requester.goto(f"/chat/atendimentos/{first}/")
    expect(requester.locator("#ticket-status")).to_have_text("Em Atendimento")
    expect(requester.locator("#wait-position")).to_be_hidden()

    attendant.goto("/admin/tickets/ticket/")
    attendant.locator("#routing-bar").get_by_role("button", name="Ficar ausente").click()
    expect(attendant.locator("#routing-bar #routing-state")).to_have_text("Ausente")

    # The requester sees it back in the queue, live, at the head; the queue lists both back in their order.
    expect(requester.locator("#ticket-status")).to_have_text("Atendimento Não Iniciado", timeout=15_000)
    expect(requester.locator("#wait-position")).to_contain_text("Você é o 1º da fila", timeout=15_000)
    attendant.goto("/admin/tickets/ticket/?situacao=aguardando")
    numbers = queue_numbers(attendant)
    assert first in numbers and third in numbers and second not in numbers, numbers
    assert numbers.index(first) < numbers.index(third)
    assert numbers[:2] == [first, third]
