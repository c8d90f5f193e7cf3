"""Keyboard and screen-reader basics (B8), checked in the browser on every page of the journeys.

- Every control is reached with Tab, and the focused control shows a ring (its computed outline on
  :focus-visible; for the visually hidden file picker, the ring of the drop zone around it).
- Every form field and button has an accessible name, as Chromium's accessibility tree computes it.
- The EST-000206 dialog keeps the focus inside and closes with Esc, giving the focus back.
"""

import re
import threading

import pytest
from playwright.sync_api import Page, expect

from .conftest import log_in
from .helpers import live_sockets, open_new_ticket, take_ticket

pytestmark = pytest.mark.e2e

FOCUSABLE = """(scope) => {
    const root = scope ? document.querySelector(scope) : document;
    const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
    const seenRadios = new Set();
    const controls = Array.from(root.querySelectorAll(selector)).filter((el) => {
        if (el.disabled || el.tabIndex < 0 || el.closest('[inert], dialog:not([open])')) return false;
        if (!el.checkVisibility({ visibilityProperty: true })) return false;
        if (el.type === 'radio') {
            if (seenRadios.has(el.name)) return false;
            seenRadios.add(el.name);
        }
        return true;
    });
    document.querySelectorAll('[data-e2e-focus]').forEach((el) => el.removeAttribute('data-e2e-focus'));
    controls.forEach((el, i) => { el.dataset.e2eFocus = String(i); });
    return controls.map((el) => (el.tagName + ' ' + (el.id || el.name || el.textContent.trim().slice(0, 40))).trim());
}"""

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const visible = (node) => {
        const style = getComputedStyle(node);
        const width = parseFloat(style.outlineWidth) || 0;
        const transparent = /rgba\\(.*,\\s*0\\)$/.test(style.outlineColor) || style.outlineColor === 'transparent';
        return style.outlineStyle !== 'none' && width >= 2 && !transparent;
    };
    const box = el.getBoundingClientRect();
    // A control hidden on purpose (the file picker) shows its focus on the area that stands for it.
    const hidden = box.width <= 1 || box.height <= 1 || getComputedStyle(el).opacity === '0';
    // Focus on a part inside a native control (the calendar button of a date field) is drawn by the browser.
    let ring = visible(el) || !el.matches(':focus');
    for (let node = el.parentElement; hidden && !ring && node && node !== document.body; node = node.parentElement) {
        ring = visible(node);
    }
    return {
        index: el.dataset.e2eFocus === undefined ? null : Number(el.dataset.e2eFocus),
        what: (el.tagName + ' ' + (el.id || el.name || el.textContent.trim().slice(0, 40))).trim(),
        ring,
    };
}"""

NAMED_ROLES = {
    "button",
    "checkbox",
    "combobox",
    "link",
    "listbox",
    "radio",
    "searchbox",
    "spinbutton",
    "textbox",
    "menuitem",
    "switch",
    "tab",
    "DisclosureTriangle",
}


def tab_through(page: Page, scope: str | None = None) -> None:
    """Tab from the page's start; every control in `scope` must take the focus, each with a visible ring."""
    expected = page.evaluate(FOCUSABLE, scope)
    assert expected, f"no controls found on {page.url}"
    if scope is None:
        page.evaluate("document.activeElement && document.activeElement.blur()")
    reached: set[int] = set()
    no_ring: list[str] = []
    for _ in range(len(expected) + 40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        if not focused["ring"]:
            no_ring.append(focused["what"])
        if focused["index"] is not None:
            reached.add(focused["index"])
        if len(reached) == len(expected):
            break
    missed = [what for index, what in enumerate(expected) if index not in reached]
    assert not missed, f"{page.url}: not reachable with Tab: {missed}"
    assert not no_ring, f"{page.url}: focus without a visible ring: {no_ring}"


def assert_named(page: Page) -> None:
    """Every field, button and link has a name in Chromium's accessibility tree (what a screen reader says)."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    nameless = [
        node["role"]["value"]
        for node in nodes
        if not node.get("ignored")
        and node.get("role", {}).get("value") in NAMED_ROLES
        and not str(node.get("name", {}).get("value", "")).strip()
    ]
    assert not nameless, f"{page.url}: controls without an accessible name: {nameless}"
    # And field by field, so that a control left out of the tree by mistake cannot pass unseen.
    for control in page.locator("input:not([type=hidden]), select, textarea, button").all():
        if control.is_visible():
            expect(control).not_to_have_accessible_name("")


def check_page(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^pt-br$", re.IGNORECASE))
    assert_named(page)
    tab_through(page)


def test_every_staff_page_works_by_keyboard_with_a_visible_focus_and_named_controls(new_context, stack):
    page = log_in(new_context().new_page(), "servidor")
    number = open_new_ticket(page, "Teste de acessibilidade pelo teclado.")
    for path in (
        "/",
        "/chat/",
        "/chat/novo/",
        "/chat/meus-dados/",
        f"/chat/atendimentos/{number}/",
        f"/chat/atendimentos/{number}/informacoes/",
        "/chat/atendimento-on-line/",
        "/cadastro/",
    ):
        check_page(page, path)

    # The panel opens from the keyboard and its rows and actions are in the tab order.
    page.goto("/")
    page.locator("#chat-icon").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#chat-panel")).to_be_visible()
    expect(page.locator(f'#chat-panel .ticket-row[data-number="{number}"]')).to_be_visible()
    assert_named(page)
    page.locator("#chat-icon").focus()
    tab_through(page, "#chat-panel")
    page.keyboard.press("Escape")
    expect(page.locator("#chat-panel")).to_be_hidden()
    expect(page.locator("#chat-icon")).to_be_focused()


def test_login_and_attendant_pages_work_by_keyboard_with_named_controls(new_context, login_as, stack):
    check_page(new_context().new_page(), "/accounts/login/")
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "Teste de acessibilidade no atendimento.")
    attendant = login_as("atendente")
    # The queue is walked while a colleague registers phone tickets: live events patch it under the walk.
    with live_sockets(attendant, "/ws/queue/") as frames:
        arriving = _register_phone_tickets(stack, 8, "TECLADO")
        try:
            check_page(attendant, "/admin/tickets/ticket/")
        finally:
            arriving.join()
        frames.wait_for("queue.changed", timeout=30)
    take_ticket(attendant, number)
    check_page(attendant, f"/admin/tickets/ticket/{number}/change/")


def test_est_000206_dialog_keeps_the_focus_inside_and_closes_with_escape(new_context, contactless_user):
    page = log_in(new_context().new_page(), contactless_user)
    page.locator("#chat-icon").focus()
    page.keyboard.press("Enter")
    open_chat = page.locator("#chat-panel").get_by_role("link", name="Abrir Chat")
    expect(open_chat).to_be_focused()
    page.keyboard.press("Enter")

    dialog = page.get_by_role("dialog", name="Erro (EST-000206)")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_accessible_description(
        "Para utilizar o Chat de Atendimento On-line é necessário ter ao menos um endereço de e-mail e um telefone "
        "para contato em seu cadastro no sistema. Por favor, informe ao menos um endereço de e-mail e um telefone "
        "para contato e tente novamente."
    )
    ok = dialog.get_by_role("link", name="OK")
    expect(ok).to_be_focused()
    assert_named(page)
    inside = "() => document.querySelector('#gate-dialog').contains(document.activeElement)"
    for key in ["Tab"] * 5 + ["Shift+Tab"] * 5:
        page.keyboard.press(key)
        assert page.evaluate(inside), f"{key} took the focus out of the dialog"
        assert page.evaluate(FOCUSED)["ring"], "the focus inside the dialog has no visible ring"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(open_chat).to_be_focused()


# Phone tickets registered by a colleague, each for a new person, paced like a busy morning: queue.changed events
# reach the attendant's page while they work it by keyboard.
PHONE_TICKETS = """
import time
from django.contrib.auth import get_user_model
from people.models import Entity
from people.services import person_create
from tickets.models import Module
from tickets.services import ticket_register_phone

colleague = get_user_model().objects.get(username="atendente2")
entity = Entity.objects.get(online_chat_enabled=True)
module = Module.objects.filter(active=True).first()
for n in range({count}):
    person = person_create(entity=entity, name=f"PESSOA DA FILA {{n}} {tag}")
    ticket_register_phone(attendant=colleague, requester=person, module_id=module.pk, reason=f"Por telefone {{n}}")
    time.sleep(0.5)
"""


def _register_phone_tickets(stack, count: int, tag: str) -> threading.Thread:
    thread = threading.Thread(target=stack.manage, args=("shell", "-c", PHONE_TICKETS.format(count=count, tag=tag)))
    thread.start()
    return thread


def test_the_queue_keeps_the_keyboard_focus_and_the_counts_follow_while_it_updates_live(login_as, stack):
    """A live change of the queue patches the list in place: the focused row keeps the focus, Tab goes on from
    there, and every count of the page (the summary, the paginator's "N atendimentos") follows."""
    _register_phone_tickets(stack, 1, "0").join()
    attendant = login_as("atendente")
    with live_sockets(attendant, "/ws/queue/") as frames:
        attendant.goto("/admin/tickets/ticket/")
        frames.wait_for("resumed")
    rows = attendant.locator("#result_list tbody tr")
    expect(rows.first).to_be_visible()
    before = rows.count()
    paginator = attendant.locator("#changelist-form .paginator")
    expect(paginator).to_contain_text(f"{before} atendimento")
    waiting = int(attendant.locator('[data-summary="waiting"]').inner_text())

    link = rows.first.locator("a[href]").first
    link.focus()
    focused = attendant.evaluate_handle("document.activeElement")
    _register_phone_tickets(stack, 2, "A").join()

    expect(rows).to_have_count(before + 2)
    expect(paginator).to_contain_text(f"{before + 2} atendimentos")
    expect(attendant.locator('[data-summary="waiting"]')).to_have_text(str(waiting + 2))
    assert attendant.evaluate("(el) => el.isConnected && el === document.activeElement", focused), (
        "the live update took the focus away from the row the attendant was on"
    )
    attendant.keyboard.press("Tab")
    assert attendant.evaluate(
        "(el) => el.closest('#result_list') !== null", attendant.evaluate_handle("document.activeElement")
    ), "Tab after a live update no longer goes on from the focused row"


def test_the_queue_can_be_worked_by_keyboard_while_tickets_keep_arriving(login_as, stack):
    """The keyboard walk of the queue, while a colleague registers phone tickets one after another."""
    _register_phone_tickets(stack, 1, "0").join()
    attendant = login_as("atendente")
    with live_sockets(attendant, "/ws/queue/") as frames:
        attendant.goto("/admin/tickets/ticket/")
        frames.wait_for("resumed")
    rows = attendant.locator("#result_list tbody tr")
    before = rows.count()
    arriving = _register_phone_tickets(stack, 12, "B")
    try:
        # The stream of arrivals has reached the page (a Django process starts first: a generous bound).
        expect(rows.nth(before)).to_be_visible(timeout=30_000)
        assert_named(attendant)
        tab_through(attendant)
    finally:
        arriving.join()
