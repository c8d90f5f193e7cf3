"""Connection state and off-line hours, as a user meets them in Chromium (issue 13, points 6 and 7, bad input).

The shell says when its socket is down (the badge may be stale) and clears it when back; the chat switched
off meanwhile gets a page that says so; a logout in another tab sends the next action to a login page that
says the session ended; outside the hours the panel and "Novo Atendimento" say the hours and the next opening.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from .conftest import Stack
from .helpers import live_sockets, open_new_ticket

pytestmark = pytest.mark.e2e

ZONE = ZoneInfo("America/Sao_Paulo")
SHELL_DOWN = "Sem conexão com o servidor: o número de mensagens não lidas pode estar desatualizado. Reconectando…"
SESSION_ENDED = "Sua sessão foi encerrada. Entre novamente para continuar."
CHAT_OFF = "O Atendimento On-line foi desativado para a sua entidade pela IPM. Nada foi enviado."
LIVE = 30_000  # the back-off between attempts grows; a loaded machine is slower still


def test_the_shell_says_when_its_socket_is_down_and_clears_it_when_back(login_as):
    page = login_as("servidor")
    blocked = {"on": False}
    sockets: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        if blocked["on"]:
            ws.close()
            return
        sockets.append(ws)
        ws.connect_to_server()

    page.route_web_socket(re.compile(r"/ws/toolbar/$"), route)
    with live_sockets(page, "/ws/toolbar/") as toolbar:
        page.goto("/")
        toolbar.wait_for("hello")
    status = page.locator("#connection-status")
    expect(status).to_be_hidden()

    # The network drops: the socket closes and every new attempt fails until it is back.
    blocked["on"] = True
    sockets[-1].close()
    expect(status).to_be_visible(timeout=LIVE)
    expect(status).to_have_text(SHELL_DOWN)
    expect(page.get_by_role("status").filter(has_text="Reconectando")).to_be_visible()

    blocked["on"] = False
    expect(status).to_be_hidden(timeout=LIVE)


def set_chat(stack: Stack, enabled: bool) -> None:
    stack.manage(
        "shell",
        "-c",
        "from people.models import Entity; "
        f"Entity.objects.filter(name='Prefeitura Municipal de Rio do Sul').update(online_chat_enabled={enabled})",
    )


def test_the_chat_switched_off_during_a_conversation_gets_a_page_that_says_so(login_as, stack):
    page = login_as("servidor")
    number = open_new_ticket(page, "Pergunta antes do desligamento do chat.")
    expect(page.locator("#message-form")).to_be_visible()
    set_chat(stack, False)
    try:
        page.locator("#id_body").fill("Ainda está aí?")
        page.get_by_role("button", name="Enviar", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Atendimento On-line desativado", timeout=LIVE)
        expect(page.get_by_role("alert")).to_contain_text(CHAT_OFF)
        expect(page.get_by_role("link", name="Voltar ao início")).to_be_visible()
        response = page.goto(f"/chat/atendimentos/{number}/")
        assert response.status == 403
        expect(page.get_by_role("alert")).to_contain_text(CHAT_OFF)
    finally:
        set_chat(stack, True)


def logout_in_another_tab(page: Page) -> None:
    other = page.context.new_page()
    other.goto("/chat/meus-dados/")
    other.get_by_role("button", name="Sair").click()
    # Polls the address: a navigation that committed before this line runs is not missed.
    expect(other).to_have_url(re.compile(r"/accounts/login/"), timeout=LIVE)
    other.close()


def test_after_a_logout_in_another_tab_the_next_action_lands_on_a_login_page_that_says_so(new_context):
    from .conftest import log_in

    # Without scripts nothing but the next click can notice: the plain path.
    page = log_in(new_context(java_script_enabled=False).new_page(), "servidor")
    page.goto("/chat/novo/")
    logout_in_another_tab(page)

    page.get_by_role("link", name="Meus Atendimentos").click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/chat/$"))
    expect(page.get_by_role("status").filter(has_text=SESSION_ENDED)).to_be_visible()
    page.fill("input[name=username]", "servidor")
    page.fill("input[name=password]", "servidor")
    page.click("button[type=submit]")
    page.wait_for_url("**/chat/")
    # Logged in again: the message is gone for good.
    page.goto("/accounts/login/")
    expect(page.get_by_text(SESSION_ENDED)).to_have_count(0)


def test_a_live_page_goes_to_the_login_page_that_says_so_when_another_tab_logs_out(login_as):
    page = login_as("servidor")
    with live_sockets(page, "/ws/toolbar/") as toolbar:
        page.goto("/chat/novo/")
        toolbar.wait_for("hello")
    logout_in_another_tab(page)
    # The socket hears the session end and the page goes to the login page at once.
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/chat/novo/$"), timeout=LIVE)
    expect(page.get_by_role("status").filter(has_text=SESSION_ENDED)).to_be_visible()


CLOSE_NOW = """
from datetime import timedelta
from django.utils import timezone
from tickets.models import AttendancePeriod
AttendancePeriod.objects.all().delete()
day = (timezone.localdate().weekday() + 2) % 7
AttendancePeriod.objects.create(weekday=day, starts_at="08:00", ends_at="12:00")
AttendancePeriod.objects.create(weekday=day, starts_at="13:30", ends_at="18:00")
print(day)
"""
DAYS = ["Segunda-feira", "Terça-feira", "Quarta-feira", "Quinta-feira", "Sexta-feira", "Sábado", "Domingo"]


@pytest.fixture
def closed_now(stack: Stack):
    """Attendance only two days from now: closed at any hour the test runs; open again afterwards."""
    day = int(stack.manage("shell", "-c", CLOSE_NOW).split()[-1])
    yield day
    stack.manage("shell", "-c", "from tickets.models import AttendancePeriod; AttendancePeriod.objects.all().delete()")


def test_outside_the_hours_the_panel_and_the_new_ticket_say_the_hours_and_the_next_opening(login_as, closed_now):
    today = datetime.now(ZONE).date()
    opening = today + timedelta(days=(closed_now - today.weekday()) % 7)
    next_text = f"Próximo atendimento: {opening:%d/%m/%Y} às 08:00."
    hours_text = f"{DAYS[closed_now]}: 08:00–12:00, 13:30–18:00"

    page = login_as("servidor")
    page.goto("/")
    icon = page.locator("#chat-icon")
    expect(icon).to_have_class(re.compile(r"\bis-offline\b"))
    expect(icon).to_have_attribute("title", "Atendimento On-line (fora do horário de atendimento)")
    expect(
        page.get_by_role("link", name=re.compile(r"^Atendimento On-line \(fora do horário de atendimento\)"))
    ).to_be_visible()

    icon.click()
    panel = page.locator("#chat-panel")
    expect(panel.get_by_text("Estamos fora do horário de atendimento.")).to_be_visible()
    expect(panel.get_by_text(hours_text)).to_be_visible()
    expect(panel.get_by_text(next_text)).to_be_visible()

    page.goto("/chat/novo/")
    notice = page.locator(".attendance-closed")
    expect(notice).to_contain_text("Estamos fora do horário de atendimento. Você pode registrar seu atendimento agora")
    expect(notice).to_contain_text(hours_text)
    expect(notice).to_contain_text(next_text)

    # The ticket opened now goes "Chat Off-Line" and never says "Aguarde!".
    open_new_ticket(page, "Registro fora do horário.")
    expect(page.locator("#ticket-status")).to_have_text("Chat Off-Line")
    expect(page.get_by_text("será respondido no próximo período de atendimento")).to_be_visible()
    expect(page.get_by_text("Aguarde! Em breve seu atendimento será realizado!")).to_have_count(0)


def test_outside_the_hours_the_panel_fits_a_phone(new_context, closed_now):
    from .conftest import log_in

    page: Page = log_in(new_context(viewport={"width": 390, "height": 844}).new_page(), "servidor")
    page.goto("/")
    page.locator("#chat-icon").click()
    box = page.locator("#chat-panel").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
