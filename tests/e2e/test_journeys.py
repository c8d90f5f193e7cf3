"""The whole journey as its users meet it: a real Chromium on the live stack (S3–S17, S5, S10, S11, B1, B6).

Each journey opens its own ticket, so they pass in any order and alone (`-k`). The one that changes
demo data for good (`incompleto` fills in the contacts) touches nobody else's data.
"""

import re
from email.message import Message
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from attachments import errors as attachment_errors

from .helpers import (
    CONCLUDED_BY_USER,
    FILES_ADDED,
    LEAVE,
    MODULE,
    TICKET_URL,
    WAITING,
    badge_count,
    drop_files,
    live_sockets,
    open_new_ticket,
    pdf_bytes,
    png_bytes,
    reply_as_attendant,
    take_ticket,
)

pytestmark = pytest.mark.e2e

ATTENDANT_NAME = "Ana Paula Schmitt"
GREEN = "rgb(30, 123, 52)"
RED = "rgb(179, 38, 30)"
ACCENT_SOFT = "rgb(230, 240, 250)"
CHAT_ICON = re.compile(r"^Atendimento On-line( \d+)?$")


def mark_page(page: Page) -> None:
    """A flag that only survives while the document does: still there means no reload happened."""
    page.evaluate("window.__sameDocument = true")


def still_same_document(page: Page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def plain_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("the e-mail has no text part")


def test_servidor_opens_a_ticket_dropping_a_png_and_a_pdf_and_sees_it_waiting(login_as):
    page = login_as("servidor")
    page.get_by_role("link", name=CHAT_ICON).click()
    panel = page.locator("#chat-panel")
    expect(panel.get_by_role("heading", name="ATENDIMENTO ON-LINE")).to_be_visible()
    panel.get_by_role("link", name="Abrir Chat").click()
    page.wait_for_url("**/chat/")
    page.get_by_role("navigation", name="Chat de Atendimento On-line").get_by_role(
        "link", name="Novo Atendimento"
    ).click()
    expect(page.get_by_text("Aberto em:")).to_be_visible()
    page.get_by_label("Módulo:").select_option(label=MODULE)
    page.get_by_label("Digite o motivo do atendimento:").fill("A nota 1234 não transmite para a Receita.")

    zone = page.locator("[data-dropzone]")
    zone.dispatch_event("dragenter")
    expect(zone).to_have_class(re.compile(r"\bis-dragover\b"))
    expect(zone).to_have_css("background-color", ACCENT_SOFT)  # the area lights up under the dragged files
    drop_files(page, {"tela.png": (png_bytes(), "image/png"), "nota.pdf": (pdf_bytes(), "application/pdf")})
    expect(zone).not_to_have_class(re.compile(r"\bis-dragover\b"))
    expect(zone.locator(".dropzone-file-name")).to_have_text([re.compile(r"^tela\.png "), re.compile(r"^nota\.pdf ")])
    # The drop fed the form's own file input: a plain submit carries both files.
    assert zone.locator("input[type=file]").evaluate("input => Array.from(input.files, f => f.name)") == [
        "tela.png",
        "nota.pdf",
    ]
    page.get_by_role("button", name="Enviar", exact=True).click()

    page.wait_for_url(TICKET_URL)
    number = TICKET_URL.search(page.url).group(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Número do Atendimento: {number} ({MODULE})")
    expect(page.get_by_role("heading", name="Mensagens Anteriores")).to_be_visible()
    dialog = page.locator("#dialog")
    expect(dialog.locator(".msg-head").first).to_have_text(re.compile(r"^Enviado em: \d\d/\d\d/\d{4} \d\d:\d\d:\d\d$"))
    expect(dialog).to_contain_text("A nota 1234 não transmite para a Receita.")
    expect(dialog.get_by_text(FILES_ADDED, exact=True)).to_be_visible()
    expect(dialog.locator(".file-name")).to_have_text(["tela.png", "nota.pdf"])
    expect(page.get_by_text(WAITING)).to_be_visible()
    expect(page.get_by_text(LEAVE)).to_be_visible()


def test_attendant_takes_the_new_ticket_live_and_the_reply_reaches_the_servidors_badge(login_as, stack):
    servidor = login_as("servidor")
    with live_sockets(servidor, "/ws/toolbar/") as toolbar:
        servidor.goto("/")
        toolbar.wait_for("hello")
    badge_before = badge_count(servidor)
    mark_page(servidor)

    attendant = login_as("atendente")
    with live_sockets(attendant, "/ws/queue/") as queue:
        attendant.goto("/admin/tickets/ticket/")
        queue.wait_for("hello")
    mark_page(attendant)

    # The servidor opens the ticket in another tab and closes it: the chat need not stay open (S12).
    tab = servidor.context.new_page()
    number = open_new_ticket(tab, "Erro ao emitir a nota de serviço.")
    tab.close()

    row = attendant.locator("#result_list tbody tr").filter(has=attendant.get_by_role("link", name=str(number)))
    expect(row).to_be_visible()
    assert still_same_document(attendant)
    row.get_by_role("button", name="Assumir").click()
    attendant.wait_for_url(f"**/admin/tickets/ticket/{number}/change/")
    boleto = pdf_bytes("Boleto de teste")
    attendant.get_by_label("Mensagem:").fill("Bom dia! Segue o manual da nota de serviço.")
    attendant.locator("#message-form input[type=file]").set_input_files(
        {"name": "manual.pdf", "mimeType": "application/pdf", "buffer": boleto}
    )
    attendant.get_by_role("button", name="Enviar", exact=True).click()
    expect(attendant.locator("#dialog")).to_contain_text("Bom dia! Segue o manual da nota de serviço.")

    badge = servidor.locator("#chat-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_text(str(badge_before + 1))
    assert still_same_document(servidor)
    servidor.get_by_role("link", name=CHAT_ICON).click()
    red_row = servidor.locator(f'#chat-panel .ticket-row[data-number="{number}"]')
    expect(red_row).to_have_class(re.compile(r"\bunread\b"))
    expect(red_row).to_have_css("color", RED)
    red_row.dblclick()
    servidor.wait_for_url(f"**/chat/atendimentos/{number}/")

    reply = servidor.locator("#dialog .msg-attendant").filter(has_text="Segue o manual")
    expect(reply.locator(".msg-head")).to_have_text(
        re.compile(rf"^{ATTENDANT_NAME} diz \(\d\d/\d\d/\d{{4}} \d\d:\d\d\):$")
    )
    expect(reply.locator(".msg-body")).to_have_text("Bom dia! Segue o manual da nota de serviço.")
    # S15: the file is its own line, "O atendente enviou um arquivo", with the green arrow that downloads it.
    file_event = servidor.locator("#dialog .msg-attendant").filter(has_text="O atendente enviou um arquivo")
    link = file_event.locator("a.download")
    expect(link).to_contain_text("manual.pdf")
    expect(link.locator(".arrow")).to_have_css("background-color", GREEN)
    with servidor.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "manual.pdf"
    assert Path(download.value.path()).read_bytes() == boleto
    # Reading the answer clears the badge.
    if badge_before:
        expect(badge).to_have_text(str(badge_before))
    else:
        expect(badge).to_be_hidden()


def test_servidor_concludes_the_attendant_sees_it_live_and_the_transcript_is_mailed(login_as, stack):
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "Preciso cancelar a nota 5678.")
    attendant = login_as("atendente")
    take_ticket(attendant, number)
    reply_as_attendant(attendant, "Pode cancelar pelo menu Notas > Cancelamento.")
    with live_sockets(attendant, f"/ws/tickets/{number}/") as conversation:
        attendant.reload()
        conversation.wait_for("resumed")
    mark_page(attendant)

    servidor.goto(f"/chat/atendimentos/{number}/")
    expect(servidor.locator("#dialog")).to_contain_text("Pode cancelar pelo menu Notas > Cancelamento.")
    servidor.once("dialog", lambda question: question.accept())
    servidor.get_by_role("button", name="Concluir Atendimento").click()
    expect(servidor.locator(".messages[role=status]")).to_have_text(
        "Atendimento concluído. Você receberá por e-mail todos os dados do atendimento."
    )
    expect(servidor.locator("#message-form")).to_have_count(0)

    expect(attendant.locator("#dialog .msg-system").last).to_have_text(CONCLUDED_BY_USER)
    expect(attendant.locator("#ticket-status")).to_have_text("Chat Concluído pelo Usuário")
    assert still_same_document(attendant)

    mail = stack.mailbox.wait_for(lambda message: f"Atendimento {number} " in message["Subject"])
    assert mail["To"] == "servidor@riodosul.sc.gov.br"
    assert mail["Subject"] == f"Atendimento {number} ({MODULE}) – Chat Concluído pelo Usuário"
    body = plain_text(mail)
    for text in (
        "Preciso cancelar a nota 5678.",
        f"{ATTENDANT_NAME} diz (",
        "Pode cancelar pelo menu Notas > Cancelamento.",
        CONCLUDED_BY_USER,
    ):
        assert text in body


def test_a_html_page_renamed_pdf_passes_the_browser_check_and_the_server_refusal_shows_in_the_page(login_as):
    page = login_as("servidor")
    page.goto("/chat/novo/")
    page.get_by_label("Módulo:").select_option(label=MODULE)
    page.get_by_label("Digite o motivo do atendimento:").fill("Segue o comprovante.")
    fake = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    drop_files(page, {"comprovante.pdf": (fake, "application/pdf")})
    # The name and size look fine, so the pre-check lets it through: the server is the one that refuses.
    expect(page.locator(".dropzone-file-name")).to_have_count(1)
    expect(page.locator("[data-dropzone-errors]")).to_be_empty()
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Enviar", exact=True).click()
    assert answer.value.status == 400
    refusal = attachment_errors.CONTENT_FORBIDDEN.format(name="comprovante.pdf", kind=attachment_errors.KIND_HTML)
    expect(page.get_by_role("alert").filter(has_text="comprovante.pdf")).to_have_text(refusal)
    assert page.url.endswith("/chat/novo/")
    page.goto("/chat/")
    expect(page.locator(".tickets-grid")).not_to_contain_text("Segue o comprovante.")


def test_incompleto_meets_est_000206_fills_in_the_contacts_and_then_opens_the_chat(login_as):
    """Changes `incompleto` for good: no other test logs in as `incompleto`."""
    page = login_as("incompleto")
    page.get_by_role("link", name=CHAT_ICON).click()
    page.locator("#chat-panel").get_by_role("link", name="Abrir Chat").click()
    dialog = page.get_by_role("dialog", name="Erro (EST-000206)")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(
        "Para utilizar o Chat de Atendimento On-line é necessário ter ao menos um endereço de e-mail e um telefone"
    )
    expect(dialog.get_by_text("Detalhes")).to_be_visible()
    dialog.get_by_role("link", name="OK").click()

    page.wait_for_url("**/cadastro/")
    expect(page.get_by_role("heading", name="Cadastro de pessoa")).to_be_visible()
    page.get_by_label("Novo endereço de e-mail").fill("carlos.pereira@riodosul.sc.gov.br")
    page.get_by_label("Novo telefone").fill("(47) 3531-1234")
    page.get_by_role("button", name="Salvar").click()
    expect(page.locator(".contact-list")).to_contain_text("carlos.pereira@riodosul.sc.gov.br")
    expect(page.locator(".contact-list")).to_contain_text("(47) 3531-1234")

    page.get_by_role("link", name=CHAT_ICON).click()
    page.locator("#chat-panel").get_by_role("link", name="Abrir Chat").click()
    page.wait_for_url("**/chat/")
    expect(page.get_by_role("link", name="Meus Atendimentos")).to_have_attribute("aria-current", "page")
    expect(page.locator(".tab-person")).to_have_text("CARLOS EDUARDO PEREIRA")
    page.get_by_role("link", name="Novo Atendimento").first.click()
    number = open_new_ticket(page, "Primeiro atendimento depois do cadastro.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(number))
