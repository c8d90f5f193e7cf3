"""What a screen reader hears when an attendant answers (WCAG 4.1.3 Status Messages), in real Chromium.

The live regions are recorded in the order their text changed (a MutationObserver in the page):
- on any staff page, the red badge's number is also said by the toolbar's status region;
- in the open conversation, the reply is added to the dialog's log (role="log", read politely);
- the badge never blinks: it has no CSS animation or transition (WCAG 2.3.1).
"""

import uuid

import pytest
from playwright.sync_api import Page, expect

from .conftest import Stack, log_in
from .helpers import open_new_ticket, reply_as_attendant, take_ticket

pytestmark = pytest.mark.e2e

PERSON_WITH_CONTACTS = """
from django.contrib.auth import get_user_model
from people.models import Contact, Entity
from people.services import contact_add, person_create

user = get_user_model().objects.create_user({username!r}, password={username!r})
person = person_create(entity=Entity.objects.get(online_chat_enabled=True), name="LUCAS FERREIRA", user=user)
contact_add(person=person, kind=Contact.Kind.EMAIL, value="lucas@riodosul.sc.gov.br")
contact_add(person=person, kind=Contact.Kind.PHONE, value="(47) 3531-1234")
"""

RECORD = """() => {
    window.__said = [];
    const regions = document.querySelectorAll('[role=log], [role=status], [aria-live]');
    regions.forEach((region) => {
        new MutationObserver(() => {
            const text = region.matches('[role=log]')
                ? region.querySelector('li:last-child') && region.querySelector('li:last-child').textContent
                : region.textContent;
            window.__said.push({ region: region.id || region.className, text: (text || '').trim() });
        }).observe(region, { childList: true, subtree: true, characterData: true });
    });
}"""


@pytest.fixture
def requester(stack: Stack) -> str:
    username = f"anuncio{uuid.uuid4().hex[:8]}"
    stack.manage("shell", "-c", PERSON_WITH_CONTACTS.format(username=username))
    return username


def said(page: Page) -> list[dict]:
    return page.evaluate("window.__said")


def test_a_reply_is_said_by_the_badge_status_and_by_the_conversation_log(new_context, requester):
    staff = log_in(new_context().new_page(), requester)
    number = open_new_ticket(staff, "Pergunta para testar os anúncios.")
    attendant = log_in(new_context().new_page(), "atendente")
    take_ticket(attendant, number)

    # On another page the badge is the only sign of the reply: it is said, once, as a status message.
    staff.goto("/")
    expect(staff.locator("#chat-badge")).to_be_hidden()
    staff.evaluate(RECORD)
    reply_as_attendant(attendant, "Primeira resposta.")
    expect(staff.locator("#chat-badge")).to_have_text("1")
    expect(staff.locator("#chat-badge-status")).to_have_text("1 atendimento com mensagem não lida")
    assert [entry["text"] for entry in said(staff) if entry["region"] == "chat-badge-status"] == [
        "1 atendimento com mensagem não lida"
    ]
    badge_style = staff.locator("#chat-badge").evaluate(
        "(el) => { const s = getComputedStyle(el); return [s.animationName, s.transitionDuration]; }"
    )
    assert badge_style == ["none", "0s"], f"the badge moves: {badge_style}"

    # In the open conversation the reply itself is added to the log, which is read politely.
    staff.goto(f"/chat/atendimentos/{number}/")
    log = staff.get_by_role("log", name="Diálogo")
    expect(log).to_have_attribute("tabindex", "0")
    expect(staff.locator("#chat-badge")).to_be_hidden()  # what the page shows is read
    staff.evaluate(RECORD)
    reply_as_attendant(attendant, "Segunda resposta, com o passo a passo.")
    expect(log).to_contain_text("Segunda resposta, com o passo a passo.")
    logged = [entry["text"] for entry in said(staff) if entry["region"] != "chat-badge-status"]
    assert any("Segunda resposta, com o passo a passo." in text for text in logged), said(staff)
    # Read at once (a "read" frame over the socket), the badge goes back to zero without a word: a count
    # going down is not announced. The round trip is slow on a loaded machine: waited for, not timed.
    expect(staff.locator("#chat-badge")).to_be_hidden(timeout=30_000)
    expect(staff.locator("#chat-badge-status")).to_have_text("", timeout=30_000)
