"""static/js/realtime.js in a real Chromium against a real server process: live, safe, nothing lost."""

import asyncio
import os
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from playwright.async_api import async_playwright, expect

from tickets import selectors, services
from tickets.models import Message, Ticket

from .conftest import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.slow]

SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "realtime.js"
DIALOG_SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "dialog.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
XSS = '<img src=x onerror="window.pwned=1">'

# The staff conversation page as the shared markup contract describes it (the real page belongs
# to the staff engineer): the script is the only thing under test here.
PAGE = """<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>Conversa</title></head>
<body data-person="{person}">
<a id="chat-icon" href="#"><span id="chat-badge" class="badge">9</span></a>
<p id="connection-status" role="status" aria-live="polite" hidden></p>
<p>Situação: <span id="ticket-status">?</span></p>
<ol id="dialog" data-ticket="{number}" data-last-id="{last_id}" data-ws="/ws/tickets/{number}/">{messages}</ol>
<form id="message-form" method="post"><textarea name="body"></textarea><button>Enviar</button></form>
<script src="/static/js/dialog.js"></script>
<script src="/static/js/realtime.js"></script>
</body></html>"""

# Element tree without formatting whitespace: the server's markup and the script's must match.
SHAPE = """([id, serverHtml]) => {
  const shape = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent.replace(/\\s+/g, " ");
      return text.trim() ? text : null;
    }
    const attrs = Array.from(node.attributes).map((a) => a.name + "=" + a.value).sort();
    return { tag: node.tagName, attrs, kids: Array.from(node.childNodes).map(shape).filter((k) => k !== null) };
  };
  const template = document.createElement("template");
  template.innerHTML = serverHtml.trim();
  return [shape(template.content.firstElementChild), shape(document.querySelector(`#dialog [data-id="${id}"]`))];
}"""


def page_html(ticket: Ticket) -> str:
    messages = selectors.message_list(ticket=ticket)
    return PAGE.format(
        person=ticket.requester_id,
        number=ticket.number,
        last_id=messages[-1].pk,
        messages="".join(render_to_string("tickets/_message.html", {"message": m}) for m in messages),
    )


def server_markup(message_id: int) -> str:
    message = Message.objects.prefetch_related("attachments").get(pk=message_id)
    return render_to_string("tickets/_message.html", {"message": message})


async def eventually(read, expected, seconds: float = 5):
    """The value read from the database once it equals the expected one, or the last one read."""
    value = None
    for _ in range(int(seconds / 0.1)):
        value = await sync_to_async(read)()
        if value == expected:
            break
        await asyncio.sleep(0.1)
    return value


def test_the_page_shows_replies_live_safely_and_catches_up_after_the_server_comes_back(
    daphne, ticket, person, attendant
):
    base = f"http://{daphne.address}"
    cookie = session_cookie(person.user)
    html = page_html(ticket)
    upload = SimpleUploadedFile("nota.txt", b"conteudo da nota fiscal\n", content_type="text/plain")

    async def scenario():
        async with async_playwright() as playwright:
            # A routed page has no network address of its own, so Chromium's local-network checks
            # would block its socket to 127.0.0.1; a real page comes from the server itself.
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-features=LocalNetworkAccessChecks"]
            )
            # The lines come in the language the browser asks for, as the real page would be.
            context = await browser.new_context(locale="pt-BR")
            await context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
            page = await context.new_page()
            await page.route(f"{base}/conversa/", lambda route: route.fulfill(body=html, content_type="text/html"))
            await page.route(
                f"{base}/static/js/realtime.js",
                lambda route: route.fulfill(path=SCRIPT, content_type="text/javascript"),
            )
            await page.route(
                f"{base}/static/js/dialog.js",
                lambda route: route.fulfill(path=DIALOG_SCRIPT, content_type="text/javascript"),
            )
            await page.goto(f"{base}/conversa/")
            items = page.locator("#dialog > li.msg")

            # Connected: the badge is set from the server's count, the status from the database.
            await expect(page.locator("#chat-badge")).to_be_hidden()
            await expect(page.locator("#ticket-status")).to_have_text("Atendimento Não Iniciado")
            await expect(items).to_have_count(1)

            # A reply with markup and a file: shown live, as text, with the server's own markup.
            created = await sync_to_async(services.ticket_message_create)(
                ticket=ticket, user=attendant, body=f"{XSS}\nsegunda linha", files=[upload]
            )
            await expect(items).to_have_count(3)
            await expect(page.locator("#ticket-status")).to_have_text("Em Atendimento")
            text = page.locator(f'#dialog [data-id="{created[0].pk}"] .msg-body')
            await expect(text).to_have_text(f"{XSS}segunda linha")
            assert await page.locator("#dialog img").count() == 0
            assert await page.evaluate("window.pwned") is None
            for message in created:
                expected, shown = await page.evaluate(
                    SHAPE, [message.pk, await sync_to_async(server_markup)(message.pk)]
                )
                assert shown == expected

            # The page is visible, so the reply is read: the badge clears and the database agrees.
            await expect(page.locator("#chat-badge")).to_be_hidden()
            read_id = await eventually(lambda: Ticket.objects.get(pk=ticket.pk).requester_read_id, created[-1].pk)
            assert read_id == created[-1].pk

            # The server goes away: the page says so; replies written meanwhile arrive on return, once.
            await sync_to_async(daphne.stop)()
            await expect(page.locator("#connection-status")).to_have_text("Reconectando\u2026")
            await expect(page.locator("#connection-status")).to_be_visible()
            missed = []
            for n in range(3):
                missed += await sync_to_async(services.ticket_message_create)(
                    ticket=ticket, user=attendant, body=f"enquanto offline {n}"
                )
            await sync_to_async(daphne.start)()
            await expect(items).to_have_count(6, timeout=20000)
            await expect(page.locator("#connection-status")).to_be_hidden()
            ids = await items.evaluate_all("(nodes) => nodes.map((n) => Number(n.dataset.id))")
            assert ids == sorted(set(ids))
            assert ids[-3:] == [m.pk for m in missed]

            # Concluded: the system line, the status, and the form off.
            await sync_to_async(services.ticket_conclude_by_requester)(ticket=ticket, user=person.user)
            await expect(items.last).to_have_text("* Chat Concluído pelo Usuário!")
            await expect(page.locator("#ticket-status")).to_have_text("Chat Concluído pelo Usuário")
            await expect(page.locator("#message-form textarea")).to_be_disabled()
            await expect(page.locator("#message-form button")).to_be_disabled()
            await browser.close()

    async_to_sync(scenario)()


TOOLBAR_PAGE = """<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>Atende.Net</title></head>
<body data-person="{person}"><a id="chat-icon" href="#"><span id="chat-badge" class="badge" hidden>0</span></a>
<script src="/static/js/chat.js"></script><script src="/static/js/realtime.js"></script></body></html>"""

# What the staff engineer's chat.js promises (window.AtendeChat); recorded so the test can read the calls.
CHAT_STUB = (
    "window.calls = []; window.AtendeChat = {setBadge: (n) => calls.push(n), refreshPanel: () => calls.push('panel')};"
)

QUEUE_PAGE = """<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>Fila</title></head><body>
<div id="queue-live" data-ws="/ws/queue/"></div>
<form id="changelist-form"><table id="result_list"><tbody>{rows}</tbody></table></form>
<script src="/static/js/realtime.js"></script></body></html>"""


async def browser_page(playwright, base: str, cookie: str):
    browser = await playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-features=LocalNetworkAccessChecks"]
    )
    context = await browser.new_context()
    await context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    page = await context.new_page()
    await page.route(
        f"{base}/static/js/realtime.js", lambda route: route.fulfill(path=SCRIPT, content_type="text/javascript")
    )
    return browser, page


def test_the_toolbar_sets_the_badge_through_chat_js_from_the_servers_count(daphne, ticket, person, attendant):
    base = f"http://{daphne.address}"
    cookie = session_cookie(person.user)
    html = TOOLBAR_PAGE.format(person=person.pk)

    async def scenario():
        async with async_playwright() as playwright:
            browser, page = await browser_page(playwright, base, cookie)
            await page.route(f"{base}/", lambda route: route.fulfill(body=html, content_type="text/html"))
            await page.route(
                f"{base}/static/js/chat.js", lambda route: route.fulfill(body=CHAT_STUB, content_type="text/javascript")
            )
            await page.goto(f"{base}/")
            await page.wait_for_function("window.calls.length >= 2")
            assert await page.evaluate("window.calls") == [0, 0]  # hello, then the resume's count
            await sync_to_async(services.ticket_message_create)(ticket=ticket, user=attendant, body="Olá")
            await page.wait_for_function("window.calls.includes(1) && window.calls.includes('panel')")
            await browser.close()

    async_to_sync(scenario)()


def test_the_queue_page_swaps_its_list_on_a_change_but_not_under_a_selection(daphne, person, attendant, module):
    base = f"http://{daphne.address}"
    cookie = session_cookie(attendant)

    def rows() -> str:
        return "".join(
            f'<tr><td><input type="checkbox" class="action-select" value="{t.pk}"></td><td>{t.pk}</td></tr>'
            for t in Ticket.objects.order_by("pk")
        )

    async def queue_page(route):
        # The admin changelist as it is now in the database, on every fetch.
        await route.fulfill(body=QUEUE_PAGE.format(rows=await sync_to_async(rows)()), content_type="text/html")

    def open_one():
        return services.ticket_open(requester=person, module_id=module.pk, reason="Fila")

    async def scenario():
        async with async_playwright() as playwright:
            browser, page = await browser_page(playwright, base, cookie)
            await page.route(f"{base}/admin/fila/", queue_page)
            await page.goto(f"{base}/admin/fila/")
            boxes = page.locator("#result_list input.action-select")
            await expect(boxes).to_have_count(0)
            first = await sync_to_async(open_one)()
            await expect(boxes).to_have_count(1)
            # An attendant selecting rows keeps the list until done.
            await boxes.first.check()
            await sync_to_async(open_one)()
            await page.wait_for_timeout(1500)
            await expect(boxes).to_have_count(1)
            await expect(boxes.first).to_have_value(str(first.pk))
            await boxes.first.uncheck()
            await expect(boxes).to_have_count(2, timeout=5000)
            await browser.close()

    async_to_sync(scenario)()
