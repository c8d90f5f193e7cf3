"""The panel and the contact gate in a real Chromium: keyboard, focus, the modal dialog (S3, S5, S14, B8)."""

import os

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from tickets import services

from ..conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop on this thread; the ORM calls of the test itself are
    # still plain synchronous code, which is what this flag tells Django (as Playwright's docs advise).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_as(browser, live_server):
    """A browser page logged in as the given user (the session made by Django's test client)."""
    contexts = []

    def _page(user):
        client = login(Client(), user)
        context = browser.new_context(locale="pt-BR", viewport={"width": 1200, "height": 800})
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + "/")
        return page

    yield _page
    for context in contexts:
        context.close()


def test_panel_opens_from_the_icon_and_enter_or_double_click_opens_the_chat(page_as, person, open_ticket, attendant):
    answered = open_ticket(person)
    services.ticket_message_create(ticket=answered, user=attendant, body="Segue print da tela")
    other = open_ticket(person)
    page = page_as(person.user)
    expect(page.locator("#chat-badge")).to_have_text("1")
    page.locator("#chat-icon").click()
    panel = page.locator("#chat-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#chat-icon")).to_have_attribute("aria-expanded", "true")
    red = panel.locator(f'.ticket-row.unread[data-number="{answered.number}"]')
    expect(red).to_be_visible()
    expect(red).to_have_css("color", "rgb(179, 38, 30)")
    # The newest row has the focus; the arrows move between rows and Enter opens the chat.
    expect(panel.locator(f'.ticket-row[data-number="{other.number}"]')).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(red).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/chat/atendimentos/{answered.number}/")
    expect(page.locator("#chat-badge")).to_be_hidden()
    page.goto(page.url.split("/chat/")[0] + "/")
    page.locator("#chat-icon").click()
    page.locator(f'.ticket-row[data-number="{other.number}"]').dblclick()
    page.wait_for_url(f"**/chat/atendimentos/{other.number}/")


def test_escape_closes_the_panel_and_gives_the_focus_back_to_the_icon(page_as, person):
    page = page_as(person.user)
    page.locator("#chat-icon").click()
    expect(page.locator("#chat-panel")).to_contain_text("Você não possui registros de chat em atendimento.")
    page.keyboard.press("Escape")
    expect(page.locator("#chat-panel")).to_be_hidden()
    expect(page.locator("#chat-icon")).to_be_focused()


def test_abrir_chat_without_contacts_shows_the_modal_error_then_ok_opens_the_registration(page_as, person):
    person.contacts.all().delete()
    page = page_as(person.user)
    page.locator("#chat-icon").click()
    page.locator("[data-open-chat]").click()
    dialog = page.locator("#gate-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Erro (EST-000206)")
    ok = dialog.get_by_role("link", name="OK")
    expect(ok).to_be_focused()
    # Focus stays inside the modal: Tab goes OK -> Detalhes -> OK.
    page.keyboard.press("Tab")
    expect(dialog.locator("summary")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog.locator(".details-body")).to_be_visible()
    expect(dialog.locator(".details-body")).to_contain_text("EST-000206")
    page.keyboard.press("Tab")
    expect(ok).to_be_focused()
    # Esc closes it and the focus returns to "Abrir Chat".
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-open-chat]")).to_be_focused()
    page.locator("[data-open-chat]").click()
    page.locator("#gate-dialog").get_by_role("link", name="OK").click()
    page.wait_for_url("**/cadastro/")
    expect(page.locator("h1")).to_have_text("Cadastro de pessoa")
