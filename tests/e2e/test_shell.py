"""The ERP shell as users meet it: the chat icon only where the entity has the chat."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_servidor_sees_the_chat_icon_on_the_toolbar(login_as):
    page = login_as("servidor")
    assert page.locator(".module-title").inner_text() == "CADASTROS ÚNICOS"
    assert page.get_by_placeholder("Pesquisa (Ctrl+Shift+F)").is_visible()
    # Its name may go on with the unread count or the off-line state, after earlier tests of the shared world.
    expect(page.get_by_role("link", name=re.compile(r"^Atendimento On-line"))).to_be_visible()


def test_semchat_sees_no_chat_icon(login_as):
    page = login_as("semchat")
    assert page.locator(".module-title").inner_text() == "CADASTROS ÚNICOS"
    assert page.locator("#chat-icon").count() == 0


def test_static_files_are_served_by_the_asgi_server(stack, new_context):
    """Without them the pages would have no style and no websocket client."""
    page = new_context().new_page()
    response = page.goto("/static/css/app.css")
    assert response.status == 200
    assert "text/css" in response.headers["content-type"]
