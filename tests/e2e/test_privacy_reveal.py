"""The "Mostrar" control of "Mais Informações" in a real browser (issue 19).

Threat: the whole CPF and contacts reach an attendant's screen without them asking for it, or
without the access being recorded; or someone without the permission gets them.
"""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

OPEN_TICKET = """
import json
from people.models import Person
from tickets import services
from tickets.models import Module
person = Person.objects.get(user__username="servidor")
ticket = services.ticket_open(
    requester=person, module_id=Module.objects.get(name="Nota Fiscal Eletrônica Web").pk, reason="Preciso de ajuda."
)
print(json.dumps({"number": ticket.number}))
"""

VIEWS = """
from privacy.models import AccessLog
print(AccessLog.objects.filter(action="view", ticket_number={number}, actor__username="admin").count())
"""


def views(stack, number: int) -> int:
    return int(stack.manage("shell", "-c", VIEWS.format(number=number)).strip().splitlines()[-1])


@pytest.fixture
def ticket_number(stack) -> int:
    return json.loads(stack.manage("shell", "-c", OPEN_TICKET).strip().splitlines()[-1])["number"]


def test_mostrar_reveals_the_cpf_and_contacts_in_place_and_is_recorded(stack, login_as, ticket_number):
    page = login_as("admin")
    page.goto(f"/admin/tickets/ticket/{ticket_number}/change/")
    document = page.locator('.conversation-side [data-reveal="document"]')
    contacts = page.locator('.conversation-side [data-reveal="contacts"]')
    expect(document).to_have_text("***.982.247-**")
    expect(contacts).to_contain_text("s***@riodosul.sc.gov.br")
    expect(contacts).not_to_contain_text("servidor@riodosul.sc.gov.br")
    assert views(stack, ticket_number) == 0

    page.get_by_role("button", name="Mostrar").click()

    expect(document).to_have_text("529.982.247-25")
    expect(document).to_be_focused()
    expect(contacts).to_contain_text("servidor@riodosul.sc.gov.br")
    expect(contacts).to_contain_text("(47) 3531-1200")
    expect(page.get_by_role("button", name="Mostrar")).to_have_count(0)
    assert views(stack, ticket_number) == 1


def test_an_attendant_without_the_permission_sees_the_mask_and_no_mostrar(login_as, ticket_number):
    page = login_as("atendente")
    page.goto(f"/admin/tickets/ticket/{ticket_number}/change/")
    expect(page.locator('.conversation-side [data-reveal="document"]')).to_have_text("***.982.247-**")
    expect(page.get_by_role("button", name="Mostrar")).to_have_count(0)
    expect(page.locator(".conversation-side")).not_to_contain_text("529.982.247-25")
