"""A conversation that feels live (issue 13, points 1, 2, 3, 5): sending without leaving the page, on both
sides, safe retries, upload progress, nothing out of sight, limits said. A real Chromium on the live stack."""

import re
import uuid

import psycopg
import pytest
from playwright.sync_api import Page, expect

from .helpers import live_sockets, open_new_ticket, take_ticket

pytestmark = pytest.mark.e2e

SENDING = "Enviando\u2026"
NOT_SENT = "Não enviado."
RETRY = "Tentar novamente"

# Every state a line of the dialog went through, recorded in the page: a fast server must not hide "Enviando…".
RECORD_STATES = """() => {
  window.__states = [];
  window.__loads = 0;
  new MutationObserver(() => {
    document.querySelectorAll("#dialog .msg-pending .msg-state").forEach((state) => {
      if (!window.__states.includes(state.textContent)) window.__states.push(state.textContent);
    });
  }).observe(document.getElementById("dialog"), { subtree: true, childList: true, characterData: true });
}"""

MANY_MESSAGES = """
from django.conf import settings
from django.contrib.auth import get_user_model
from tickets import services
from tickets.models import Ticket
settings.MESSAGE_RATE_LIMIT = 0
ticket = Ticket.objects.get(pk={number})
attendant = get_user_model().objects.get(username="atendente")
for n in range({count}):
    user = attendant if n % 2 == 0 else ticket.requester.user
    services.ticket_message_create(ticket=ticket, user=user, body=f"Linha {{n}} da conversa longa.\\nCom duas linhas.")
"""


def count_messages(stack, body: str) -> int:
    with psycopg.connect(stack.env["DATABASE_URL"]) as connection:
        return connection.execute("SELECT count(*) FROM tickets_message WHERE body = %s", [body]).fetchone()[0]


def messages_named(stack, name: str) -> int:
    with psycopg.connect(stack.env["DATABASE_URL"]) as connection:
        return connection.execute(
            "SELECT count(*) FROM attachments_attachment WHERE original_name = %s", [name]
        ).fetchone()[0]


def watch(page: Page) -> None:
    """Record the sending states, and count full page loads from now on."""
    page.evaluate(RECORD_STATES)
    page.on("load", lambda: page.evaluate("window.__loads = (window.__loads || 0) + 1"))
    page.evaluate("window.__sameDocument = true")


def same_document(page: Page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def at_bottom(page: Page) -> bool:
    return page.evaluate(
        """() => { const box = document.querySelector(".dialog-box");
                  return box.scrollHeight - box.scrollTop - box.clientHeight <= 2; }"""
    )


def box_scrolls(page: Page) -> bool:
    return page.evaluate(
        "() => { const box = document.querySelector('.dialog-box'); return box.scrollHeight > box.clientHeight + 50; }"
    )


def open_conversation(page: Page, url: str, number: int) -> None:
    with live_sockets(page, f"/ws/tickets/{number}/") as sockets:
        page.goto(url)
        sockets.wait_for("resumed")


def test_a_message_is_sent_without_leaving_the_page_on_both_sides(login_as, stack):
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "Não consigo gerar o XML da nota.")
    url = servidor.url
    open_conversation(servidor, url, number)
    watch(servidor)
    servidor.get_by_label("Digite o motivo do atendimento:").fill("Segue mais um detalhe.")
    servidor.get_by_role("button", name="Enviar", exact=True).click()
    saved = servidor.locator("#dialog li.msg[data-id]").filter(has_text="Segue mais um detalhe.")
    expect(saved).to_have_count(1)
    expect(servidor.locator("#dialog .msg-pending")).to_have_count(0)
    assert servidor.evaluate("window.__states") == [SENDING]
    assert servidor.url == url and same_document(servidor)
    # The box is empty again at once, ready for the next message.
    expect(servidor.get_by_label("Digite o motivo do atendimento:")).to_have_value("")
    assert count_messages(stack, "Segue mais um detalhe.") == 1

    attendant = login_as("atendente")
    take_ticket(attendant, number)
    admin_url = attendant.url
    open_conversation(attendant, admin_url, number)
    watch(attendant)
    attendant.get_by_label("Mensagem:").fill("Bom dia! Vou verificar.")
    attendant.get_by_role("button", name="Enviar", exact=True).click()
    line = attendant.locator("#dialog li.msg-attendant[data-id]").filter(has_text="Bom dia! Vou verificar.")
    head = re.compile(r"^Ana Paula Schmitt diz \(\d\d/\d\d/\d{4} \d\d:\d\d\):$")
    expect(line.locator(".msg-head")).to_have_text(head)
    assert attendant.evaluate("window.__states") == [SENDING]
    assert attendant.url == admin_url and same_document(attendant)
    # The other side gets it live, drawn by the same template.
    expect(servidor.locator("#dialog .msg-attendant").filter(has_text="Bom dia! Vou verificar.")).to_have_count(1)
    assert same_document(servidor)


def test_a_send_while_offline_says_not_sent_and_the_retry_saves_exactly_one_message(login_as, stack):
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "Erro ao transmitir o lote.")
    open_conversation(servidor, servidor.url, number)
    watch(servidor)
    text = f"Mensagem enviada sem rede {uuid.uuid4().hex[:6]}"
    servidor.context.set_offline(True)
    servidor.get_by_label("Digite o motivo do atendimento:").fill(text)
    servidor.get_by_role("button", name="Enviar", exact=True).click()
    failed = servidor.locator("#dialog .msg-failed")
    expect(failed.locator(".msg-state")).to_contain_text(NOT_SENT)
    # The text is kept, in its line, and nothing reached the server.
    expect(failed.locator(".msg-body")).to_have_text(text)
    assert count_messages(stack, text) == 0
    # The next message can be typed meanwhile.
    servidor.get_by_label("Digite o motivo do atendimento:").fill("rascunho seguinte")
    servidor.context.set_offline(False)
    failed.get_by_role("button", name=RETRY).click()
    expect(servidor.locator("#dialog li.msg[data-id]").filter(has_text=text)).to_have_count(1)
    expect(servidor.locator("#dialog .msg-pending")).to_have_count(0)
    assert count_messages(stack, text) == 1
    expect(servidor.get_by_label("Digite o motivo do atendimento:")).to_have_value("rascunho seguinte")
    assert same_document(servidor)


def test_an_upload_shows_its_progress_on_a_slow_connection_and_can_be_cancelled(login_as, stack):
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "Envio o extrato em seguida.")
    open_conversation(servidor, servidor.url, number)
    watch(servidor)
    servidor.evaluate(
        """() => { window.__progress = [];
                   setInterval(() => document.querySelectorAll("#dialog .upload-progress").forEach(
                     (bar) => window.__progress.push(bar.value)), 50); }"""
    )
    cdp = servidor.context.new_cdp_session(servidor)
    cdp.send("Network.enable")
    # About 150 KB/s up: a file of 900 KB takes some seconds.
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 40, "downloadThroughput": 400_000, "uploadThroughput": 150_000},
    )
    content = ("Linha do extrato bancário 0123456789\n" * 25_000).encode()[:900_000]
    picker = servidor.locator("#message-form input[type=file]")
    picker.set_input_files({"name": "extrato.txt", "mimeType": "text/plain", "buffer": content})
    servidor.get_by_role("button", name="Enviar", exact=True).click()
    saved = servidor.locator("#dialog li.msg[data-id]").filter(has_text="extrato.txt")
    expect(saved).to_have_count(1, timeout=60_000)
    progress = servidor.evaluate("window.__progress")
    assert any(0 < value < 100 for value in progress), progress
    assert messages_named(stack, "extrato.txt") == 1

    # Cancelled while uploading: the line goes, the file is not saved.
    picker.set_input_files({"name": "cancelado.txt", "mimeType": "text/plain", "buffer": content})
    servidor.get_by_role("button", name="Enviar", exact=True).click()
    pending = servidor.locator("#dialog .msg-pending").filter(has_text="cancelado.txt")
    expect(pending.locator(".msg-state")).to_have_text(SENDING)
    pending.get_by_role("button", name="Cancelar o envio de cancelado.txt").click()
    expect(pending).to_have_count(0)
    expect(servidor.locator(".send-announcer")).to_have_text("Envio de cancelado.txt cancelado.")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    assert messages_named(stack, "cancelado.txt") == 0
    assert same_document(servidor)


def test_a_file_the_server_refuses_shows_the_reason_next_to_its_name(login_as):
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "Segue o comprovante.")
    open_conversation(servidor, servidor.url, number)
    fake = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    servidor.locator("#message-form input[type=file]").set_input_files(
        {"name": "comprovante.pdf", "mimeType": "application/pdf", "buffer": fake}
    )
    servidor.get_by_role("button", name="Enviar", exact=True).click()
    failed = servidor.locator("#dialog .msg-failed").filter(has_text="comprovante.pdf")
    expect(failed.locator(".msg-state")).to_have_text(
        re.compile(r"^Não enviado\. “comprovante\.pdf”: o conteúdo é .+, que não é permitido")
    )
    expect(failed.get_by_role("button", name=RETRY)).to_be_visible()


def test_the_conversation_opens_at_the_newest_message_and_new_ones_are_never_out_of_sight(login_as, stack):
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "Conversa longa.")
    attendant = login_as("atendente")
    take_ticket(attendant, number)
    stack.manage("shell", "-c", MANY_MESSAGES.format(number=number, count=40))

    # Both sides open at the newest line, under today's separator.
    open_conversation(servidor, f"/chat/atendimentos/{number}/", number)
    open_conversation(attendant, f"/admin/tickets/ticket/{number}/change/", number)
    for page in (servidor, attendant):
        assert box_scrolls(page)
        expect(page.locator("#dialog li.msg").last).to_be_in_viewport()
        assert at_bottom(page)
        expect(page.locator("#dialog .day-separator").first).to_have_text("Hoje")

    # At the bottom, an arriving line scrolls into view.
    attendant.get_by_label("Mensagem:").fill("Primeira resposta nova.")
    attendant.get_by_role("button", name="Enviar", exact=True).click()
    arrived = servidor.locator("#dialog li.msg").filter(has_text="Primeira resposta nova.")
    expect(arrived).to_be_in_viewport()
    expect(servidor.get_by_role("button", name=re.compile("^Novas mensagens"))).to_be_hidden()

    # Scrolled up: the line waits below and the button says how many.
    servidor.evaluate("document.querySelector('.dialog-box').scrollTop = 0")
    for text in ("Segunda resposta nova.", "Terceira resposta nova."):
        attendant.get_by_label("Mensagem:").fill(text)
        attendant.get_by_role("button", name="Enviar", exact=True).click()
        expect(servidor.locator("#dialog li.msg").filter(has_text=text)).to_have_count(1)
    button = servidor.get_by_role("button", name="Novas mensagens (2)")
    expect(button).to_be_visible()
    expect(servidor.locator("#dialog li.msg").filter(has_text="Terceira resposta nova.")).not_to_be_in_viewport()
    button.click()
    expect(servidor.locator("#dialog li.msg").filter(has_text="Terceira resposta nova.")).to_be_in_viewport()
    expect(button).to_be_hidden()

    # Your own message is shown even when you had scrolled up.
    servidor.evaluate("document.querySelector('.dialog-box').scrollTop = 0")
    servidor.get_by_label("Mensagem:").fill("Minha mensagem aparece.")
    servidor.get_by_role("button", name="Enviar", exact=True).click()
    expect(servidor.locator("#dialog li.msg[data-id]").filter(has_text="Minha mensagem aparece.")).to_be_in_viewport()


def test_with_javascript_off_the_form_still_sends(new_context, stack):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "servidor")
    page.fill("input[name=password]", "servidor")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))
    page.goto("/chat/novo/")
    page.get_by_label("Módulo:").select_option(label="Nota Fiscal Eletrônica Web")
    page.get_by_label("Digite o motivo do atendimento:").fill("Sem JavaScript no navegador.")
    page.get_by_role("button", name="Enviar", exact=True).click()
    page.wait_for_url(re.compile(r"/chat/atendimentos/\d+/$"))
    text = f"Resposta sem JavaScript {uuid.uuid4().hex[:6]}"
    page.get_by_label("Digite o motivo do atendimento:").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar", exact=True).click()
    expect(page.locator("#dialog li.msg").filter(has_text=text)).to_have_count(1)
    assert count_messages(stack, text) == 1


def test_the_counter_shows_near_the_limit_and_a_long_paste_is_announced_not_cut(login_as):
    servidor = login_as("servidor")
    servidor.context.grant_permissions(["clipboard-read", "clipboard-write"])
    number = open_new_ticket(servidor, "Texto longo.")
    open_conversation(servidor, servidor.url, number)
    box = servidor.get_by_label("Digite o motivo do atendimento:")
    counter = servidor.locator(".char-counter")
    box.fill("a" * 1000)
    expect(counter).to_be_hidden()
    box.fill("a" * 4600)
    expect(counter).to_have_text("4600 de 5000 caracteres")
    servidor.evaluate("navigator.clipboard.writeText('b'.repeat(600))")
    box.focus()
    servidor.keyboard.press("End")
    servidor.keyboard.press("Control+V")
    # Nothing was cut: all 5,200 characters are there, and the paste was said.
    expect(box).to_have_value("a" * 4600 + "b" * 600)
    expect(servidor.locator(".send-announcer")).to_have_text(
        "O texto colado passa do limite de 5000 caracteres: a mensagem ficou com 5200. Encurte-a antes de enviar."
    )
    expect(counter).to_have_text("A mensagem tem 5200 caracteres; o limite é 5000. Encurte-a antes de enviar.")
    servidor.get_by_role("button", name="Enviar", exact=True).click()
    expect(servidor.locator("#dialog .msg-pending")).to_have_count(0)
    expect(box).to_have_value("a" * 4600 + "b" * 600)


def test_a_send_after_the_session_ended_says_so_next_to_the_line_and_keeps_the_text(login_as, stack):
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "Sessão que termina.")
    open_conversation(servidor, servidor.url, number)
    session = next(c["value"] for c in servidor.context.cookies() if c["name"] == "sessionid")
    with psycopg.connect(stack.env["DATABASE_URL"]) as connection:
        connection.execute("DELETE FROM django_session WHERE session_key = %s", [session])
    text = f"Enviada depois do fim da sessão {uuid.uuid4().hex[:6]}"
    servidor.get_by_label("Digite o motivo do atendimento:").fill(text)
    servidor.get_by_role("button", name="Enviar", exact=True).click()
    failed = servidor.locator("#dialog .msg-failed")
    expect(failed.locator(".msg-state")).to_have_text(
        "Não enviado. Sua sessão terminou. Entre novamente para enviar; o texto continua aqui."
    )
    expect(failed.locator(".msg-body")).to_have_text(text)
    assert count_messages(stack, text) == 0
