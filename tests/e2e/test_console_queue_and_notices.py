"""The attendant's console in a real Chromium (issue 14): notices while the page is in the background, keyboard
shortcuts, and the queue's live update keeping the keyboard user's place and every count.

The browser is real; only what faces the operating system is observed: the Notification API (a stand-in that
records each notification and each permission request) and the sound (the real AudioContext, whose oscillators
are counted when they start). Page visibility is emulated as hidden, as when the attendant works in another tab.
"""

import re
import threading

import pytest
from playwright.sync_api import Page, expect

from .helpers import live_sockets, open_new_ticket, take_ticket
from .test_accessibility import PHONE_TICKETS, assert_named

pytestmark = pytest.mark.e2e

OBSERVE = """(() => {
    const calls = { notifications: [], permission: 0, sounds: 0 };
    window.__console = calls;
    // Permission belongs to the origin, as in a real browser: every tab of the test sees the same answer.
    const permission = () => localStorage.getItem("e2e.permission") || "default";
    function Observed(title, options) {
        calls.notifications.push({ title: title, body: (options || {}).body || "", tag: (options || {}).tag || "" });
        this.close = () => {};
    }
    Object.defineProperty(Observed, "permission", { get: permission });
    Observed.requestPermission = (callback) => {
        calls.permission += 1;
        localStorage.setItem("e2e.permission", "granted");
        if (callback) callback("granted");
        return Promise.resolve("granted");
    };
    window.Notification = Observed;
    const Real = window.AudioContext;
    window.AudioContext = function () {
        const context = new Real();
        const make = context.createOscillator.bind(context);
        context.createOscillator = () => {
            const tone = make();
            const start = tone.start.bind(tone);
            tone.start = (...args) => { calls.sounds += 1; return start(...args); };
            return tone;
        };
        return context;
    };
    let hidden = false;
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    const state = () => (hidden ? "hidden" : "visible");
    Object.defineProperty(document, "visibilityState", { configurable: true, get: state });
    window.__setHidden = (value) => { hidden = value; document.dispatchEvent(new Event("visibilitychange")); };
})();"""

TAKE_AND_ANSWER = """
from django.contrib.auth import get_user_model
from tickets.models import Ticket
from tickets.services import ticket_message_create

ticket = Ticket.objects.get(pk={number})
attendant = get_user_model().objects.get(username="atendente")
ticket_message_create(ticket=ticket, user=attendant, body="Olá! Vou verificar.")
"""

QUEUE = "/admin/tickets/ticket/"


def register_phone_tickets(stack, count: int, tag: str) -> None:
    thread = threading.Thread(target=stack.manage, args=("shell", "-c", PHONE_TICKETS.format(count=count, tag=tag)))
    thread.start()
    thread.join()


def open_queue(page: Page, path: str = QUEUE) -> None:
    with live_sockets(page, "/ws/queue/") as frames:
        page.goto(path)
        frames.wait_for("resumed")


def notifications(pages: list[Page]) -> list[dict]:
    """The console's desktop notifications of every tab (routing.js's offers and overdue alerts left aside)."""
    found = []
    for page in pages:
        found += [
            {"title": note["title"], "body": note["body"]}
            for note in page.evaluate("window.__console.notifications")
            if note["tag"] == "atende-console"
        ]
    return found


def sounds(pages: list[Page]) -> int:
    """The console's sounds of every tab: oscillators started, less routing.js's tones (it counts its own)."""
    return sum(
        page.evaluate(
            "window.__console.sounds - Number((document.getElementById('routing-bar') || document.body)"
            ".getAttribute('data-tones') || 0)"
        )
        for page in pages
    )


def permission_requests(pages: list[Page]) -> int:
    return sum(page.evaluate("window.__console.permission") for page in pages)


def test_a_queue_in_the_background_tells_of_new_tickets_and_messages_once_in_title_sound_and_desktop(login_as, stack):
    attendant = login_as("atendente")
    attendant.context.add_init_script(OBSERVE)
    open_queue(attendant)
    # A second tab of the same attendant: between the two, each event sounds and pops up once.
    second = attendant.context.new_page()
    open_queue(second, QUEUE + "?situacao=todos")
    tabs = [attendant, second]
    title = attendant.title()

    allow = attendant.get_by_role("button", name="Ativar notificações", exact=True)
    expect(allow).to_be_visible()
    assert permission_requests(tabs) == 0, "the permission was asked on load"
    allow.click()
    expect(allow).to_be_hidden()
    assert permission_requests(tabs) == 1
    for tab in tabs:
        tab.evaluate("window.__setHidden(true)")

    # A colleague registers a phone ticket: a new waiting ticket.
    register_phone_tickets(stack, 1, "N")
    for tab in tabs:
        expect(tab).to_have_title(re.compile(r"^\(1\) "), timeout=20_000)
    newest = attendant.locator("#queue-summary").get_attribute("data-newest-waiting")
    assert notifications(tabs) == [{"title": "Novo atendimento aguardando", "body": f"Atendimento {newest}"}]
    assert sounds(tabs) == 1

    # A requester opens a ticket (new waiting ticket); the attendant answers it elsewhere (no notice), then the
    # requester writes again: a new message on the attendant's own ticket.
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "Preciso de ajuda com a nota de serviço.")
    expect(attendant).to_have_title(re.compile(r"^\(2\) "), timeout=20_000)
    stack.manage("shell", "-c", TAKE_AND_ANSWER.format(number=number))
    servidor.reload()
    expect(servidor.locator("#dialog")).to_contain_text("Olá! Vou verificar.")
    servidor.get_by_label("Mensagem:").fill("Obrigada! Fico no aguardo.")
    servidor.get_by_role("button", name="Enviar", exact=True).click()
    expect(servidor.locator("#dialog li.msg[data-id]").filter(has_text="Fico no aguardo")).to_have_count(1)
    for tab in tabs:
        expect(tab).to_have_title(re.compile(r"^\(3\) "), timeout=20_000)
    titles = sorted(note["title"] for note in notifications(tabs))
    assert titles == ["Nova mensagem", "Novo atendimento aguardando", "Novo atendimento aguardando"]
    assert sounds(tabs) == 3

    # The sound switched off (kept for the attendant): the title and the pop-up still tell, the sound does not.
    sound = attendant.get_by_role("button", name="Som de aviso")
    expect(sound).to_have_attribute("aria-pressed", "true")
    sound.click()
    expect(sound).to_have_attribute("aria-pressed", "false")
    expect(attendant.locator("#console-state")).to_have_text("Som de aviso desligado.")
    second.evaluate("document.getElementById('console').dataset.sound = 'off'")  # that tab's own reload would say so
    register_phone_tickets(stack, 1, "S")
    expect(attendant).to_have_title(re.compile(r"^\(4\) "), timeout=20_000)
    expect(second).to_have_title(re.compile(r"^\(4\) "), timeout=20_000)
    assert len(notifications(tabs)) == 4
    assert sounds(tabs) == 3

    # Back to the tab: the count goes; a reload keeps the attendant's choice.
    attendant.evaluate("window.__setHidden(false)")
    expect(attendant).not_to_have_title(re.compile(r"^\(\d+\) "))
    assert title in attendant.title()
    attendant.reload()
    expect(attendant.get_by_role("button", name="Som de aviso")).to_have_attribute("aria-pressed", "false")
    attendant.get_by_role("button", name="Som de aviso").click()
    expect(attendant.get_by_role("button", name="Som de aviso")).to_have_attribute("aria-pressed", "true")


def test_shortcuts_are_listed_walk_the_queue_open_take_and_return_and_never_fire_while_typing(login_as, stack):
    register_phone_tickets(stack, 2, "KEYS")
    attendant = login_as("atendente")
    # Searched, so that the rows of this test are on the first page whatever the shared world holds.
    open_queue(attendant, QUEUE + "?q=KEYS")

    # "?" lists the shortcuts in a dialog; Esc closes it.
    attendant.locator("body").press("?")
    dialog = attendant.get_by_role("dialog", name="Atalhos de teclado")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Próximo atendimento da fila")
    expect(dialog).to_contain_text("Voltar à fila")
    assert_named(attendant)
    attendant.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    attendant.get_by_role("button", name="Atalhos de teclado").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Fechar").click()
    expect(dialog).to_be_hidden()

    rows = attendant.locator("#result_list tbody tr")
    attendant.evaluate("document.activeElement && document.activeElement.blur()")
    attendant.keyboard.press("j")
    expect(rows.nth(0).locator("a[href]").first).to_be_focused()
    attendant.keyboard.press("j")
    expect(rows.nth(1).locator("a[href]").first).to_be_focused()
    attendant.keyboard.press("k")
    expect(rows.nth(0).locator("a[href]").first).to_be_focused()

    # Typing in a field: the letters are text, not shortcuts.
    search = attendant.locator("#searchbar")
    search.fill("")
    attendant.keyboard.type("jk?a")
    expect(search).to_have_value("jk?a")
    expect(search).to_be_focused()
    expect(dialog).to_be_hidden()

    # "a" takes the focused row's ticket; "r" goes to the reply box; "f" back to the queue.
    row = rows.filter(has_text="PESSOA DA FILA 1 KEYS")
    link = row.locator("a[href]").first
    number = link.inner_text().strip()
    link.focus()
    attendant.keyboard.press("a")
    attendant.wait_for_url(re.compile(rf"/admin/tickets/ticket/{number}/change/$"))
    expect(attendant.locator("#message-form")).to_be_visible()
    attendant.locator("body").press("r")
    expect(attendant.get_by_label("Mensagem:")).to_be_focused()
    attendant.keyboard.type("fj")
    expect(attendant.get_by_label("Mensagem:")).to_have_value("fj")
    assert re.search(rf"/{number}/change/$", attendant.url)
    attendant.get_by_label("Mensagem:").fill("")
    attendant.evaluate("document.activeElement.blur()")
    attendant.keyboard.press("f")
    attendant.wait_for_url(re.compile(r"/admin/tickets/ticket/$"))

    # "o" opens the focused row.
    open_queue(attendant, QUEUE + "?q=KEYS")
    attendant.keyboard.press("j")
    first = rows.nth(0).locator("a[href]").first
    href = first.get_attribute("href")
    attendant.keyboard.press("o")
    attendant.wait_for_url(re.compile(re.escape(href) + "$"))


def test_a_live_update_keeps_focus_and_scroll_and_updates_the_results_line(login_as, stack):
    """Under a search, the queue's counts are the "N resultados" line too: it follows a live change, while the
    keyboard user's focus and the page's scroll stay where they were."""
    register_phone_tickets(stack, 1, "LIVEQ1")
    attendant = login_as("atendente")
    attendant.set_viewport_size({"width": 1280, "height": 500})
    open_queue(attendant, QUEUE + "?q=LIVEQ")
    rows = attendant.locator("#result_list tbody tr")
    expect(rows.first).to_be_visible()
    before = rows.count()
    results = attendant.locator("#changelist-search .small.quiet")
    expect(results).to_contain_text(f"{before} resultado")

    link = rows.first.locator("a[href]").first
    link.focus()
    attendant.evaluate("window.scrollTo(0, 120)")
    scroll = attendant.evaluate("window.scrollY")
    assert scroll > 0, "the page must scroll for this test to mean something"
    focused = attendant.evaluate_handle("document.activeElement")

    register_phone_tickets(stack, 2, "LIVEQ2")

    expect(rows).to_have_count(before + 2, timeout=20_000)
    expect(results).to_contain_text(f"{before + 2} resultados")
    assert attendant.evaluate("(el) => el.isConnected && el === document.activeElement", focused)
    assert attendant.evaluate("window.scrollY") == scroll


def test_a_conversation_in_the_background_tells_of_the_requesters_message_when_no_queue_tab_is_open(login_as, stack):
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "Dúvida sobre o cancelamento da nota.")
    attendant = login_as("atendente")
    attendant.context.add_init_script(OBSERVE)
    take_ticket(attendant, number)
    with live_sockets(attendant, f"/ws/tickets/{number}/") as frames:
        attendant.reload()
        frames.wait_for("resumed")
    attendant.evaluate("localStorage.setItem('e2e.permission', 'granted')")  # allowed earlier, on a click
    attendant.evaluate("window.__setHidden(true)")

    servidor.locator("textarea[name=body]").fill("Mais um detalhe: a nota é de serviço.")
    servidor.get_by_role("button", name="Enviar", exact=True).click()

    expect(attendant.locator("#dialog")).to_contain_text("Mais um detalhe: a nota é de serviço.")
    expect(attendant).to_have_title(re.compile(r"^\(1\) "))
    assert notifications([attendant]) == [{"title": "Nova mensagem", "body": f"Nova mensagem no atendimento {number}."}]
    assert sounds([attendant]) == 1
    attendant.evaluate("window.__setHidden(false)")
    expect(attendant).not_to_have_title(re.compile(r"^\(\d+\) "))
