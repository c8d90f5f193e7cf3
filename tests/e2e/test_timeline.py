"""The timeline tells what happened (issue 13, point 4), in a real Chromium on the live stack.

Taking, status changes, scheduling and transfers arrive as system lines, live, in the staff member's
conversation and in the admin conversation another attendant watches; "Aguardando Retorno Cliente"
lights the staff member's red badge; the transcript e-mail tells the same story.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from .helpers import badge_count, live_sockets, open_new_ticket, take_ticket

pytestmark = pytest.mark.e2e

ZONE = ZoneInfo("America/Sao_Paulo")
LIVE = 20_000  # generous: the machine may be loaded


def mark_page(page: Page) -> None:
    page.evaluate("window.__sameDocument = true")


def still_same_document(page: Page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def change_status(page: Page, label: str, *, date: str = "", time: str = "") -> None:
    page.get_by_label("Nova situação").select_option(label=label)
    if date:
        page.locator("#id_scheduled_date").fill(date)
        page.locator("#id_scheduled_time").fill(time)
    page.get_by_role("button", name="Alterar situação").click()
    if label == "Concluído":
        # Concluding asks first: the transcript goes to the requester.
        expect(page.locator("#transcript-warning")).to_contain_text("A transcrição da conversa será enviada")
        page.get_by_role("button", name="Sim, concluir e enviar a transcrição").click()
    expect(page.locator("#ticket-status")).to_have_text(label)


def expect_line(pages: list[Page], text: str) -> None:
    for page in pages:
        expect(page.locator("#dialog li.msg-system").last).to_have_text(text, timeout=LIVE)


def plain_text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("the e-mail has no text part")


def html_text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("the e-mail has no HTML part")


#: A transfer goes only to an attendant "Disponível" (issue 14): Bruno is, for this test (capacity 1: few offers).
BRUNO_PRESENCE = """
from django.contrib.auth import get_user_model
from routing.models import AttendantState
bruno = get_user_model().objects.get(username="atendente2")
AttendantState.objects.update_or_create(user=bruno, defaults={{"available": {available}, "capacity": 1}})
"""


@pytest.fixture
def bruno_available(stack):
    stack.manage("shell", "-c", BRUNO_PRESENCE.format(available=True))
    yield
    stack.manage("shell", "-c", BRUNO_PRESENCE.format(available=False))


def test_every_kind_of_event_arrives_live_in_both_dialogs_sets_the_badge_and_goes_in_the_transcript(
    login_as, stack, bruno_available
):
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "A nota 4321 ficou presa em processamento.")
    with live_sockets(servidor, f"/ws/tickets/{number}/") as conversation:
        servidor.reload()
        conversation.wait_for("resumed")
    mark_page(servidor)

    bruno = login_as("atendente2")
    with live_sockets(bruno, f"/ws/tickets/{number}/") as watched:
        bruno.goto(f"/admin/tickets/ticket/{number}/change/")
        watched.wait_for("resumed")
    mark_page(bruno)
    both = [servidor, bruno]

    ana = login_as("atendente")
    take_ticket(ana, number)
    expect_line(both, "Atendimento assumido por Ana Paula Schmitt")
    expect(servidor.locator("#ticket-status")).to_have_text("Em Atendimento", timeout=LIVE)

    change_status(ana, "Em desenvolvimento – Fábrica")
    expect_line(both + [ana], "Situação alterada para Em desenvolvimento – Fábrica")

    change_status(ana, "Em Atendimento")
    expect_line(both, "Situação alterada para Em Atendimento")

    tomorrow = (datetime.now(ZONE) + timedelta(days=1)).date()
    change_status(ana, "Agendado", date=tomorrow.isoformat(), time="09:30")
    scheduled = f"Agendado para {tomorrow:%d/%m/%Y} às 09:30"
    expect_line(both + [ana], scheduled)

    ana.get_by_label("Transferir para").select_option(label="Bruno Kowalski — Disponível")
    ana.get_by_label("Nota para o atendente (só atendentes veem)").fill("Falta conferir a série da nota.")
    ana.get_by_role("button", name="Transferir").click()
    transferred = "Atendimento transferido de Ana Paula Schmitt para Bruno Kowalski"
    expect_line(both, transferred)
    # Arrived live: neither page was reloaded; the requester's line is not a reply (no "diz").
    assert still_same_document(servidor) and still_same_document(bruno)
    system = servidor.locator("#dialog li.msg-system")
    expect(system).to_have_count(5)
    expect(servidor.locator("#dialog .msg-head")).to_have_count(1)

    # "Aguardando Retorno Cliente" waits on the staff member: their red badge lights up, live.
    with live_sockets(servidor, "/ws/toolbar/") as toolbar:
        servidor.goto("/")
        toolbar.wait_for("hello")
    before = badge_count(servidor)
    bruno.reload()
    change_status(bruno, "Em Atendimento")
    assert badge_count(servidor) == before
    change_status(bruno, "Aguardando Retorno Cliente")
    expect(servidor.locator("#chat-badge")).to_have_text(str(before + 1), timeout=LIVE)
    servidor.get_by_role("link", name=re.compile(r"^Atendimento On-line")).click()
    row = servidor.locator(f'#chat-panel .ticket-row[data-number="{number}"]')
    expect(row).to_have_class(re.compile(r"\bunread\b"))

    # Reading it clears the badge; the line is there, server-rendered, in the staff dialog.
    servidor.goto(f"/chat/atendimentos/{number}/")
    expect(servidor.locator("#dialog li.msg-system").last).to_have_text(
        "Situação alterada para Aguardando Retorno Cliente"
    )
    if before:
        expect(servidor.locator("#chat-badge")).to_have_text(str(before), timeout=LIVE)
    else:
        expect(servidor.locator("#chat-badge")).to_be_hidden(timeout=LIVE)

    change_status(bruno, "Concluído")
    mail = stack.mailbox.wait_for(lambda message: f"Atendimento {number} " in message["Subject"], timeout=60)
    for body in (plain_text(mail), html_text(mail)):
        positions = [
            body.index(text)
            for text in (
                "Atendimento assumido por Ana Paula Schmitt",
                "Situação alterada para Em desenvolvimento – Fábrica",
                scheduled,
                transferred,
                "Situação alterada para Aguardando Retorno Cliente",
                "Situação alterada para Concluído",
            )
        ]
        assert positions == sorted(positions)


def test_a_phone_ticket_reads_as_registered_by_the_attendant_and_more_info_lists_the_opening_files(login_as, stack):
    from .helpers import pdf_bytes, png_bytes

    servidor = login_as("servidor")
    open_new_ticket(
        servidor,
        "Seguem as telas do erro.",
        files={"erro.png": (png_bytes(), "image/png"), "nota.pdf": (pdf_bytes(), "application/pdf")},
    )
    servidor.get_by_role("link", name="Mais Informações").click()
    links = servidor.locator(".opening a.download")
    expect(links).to_have_count(2)
    expect(links.locator(".file-name")).to_have_text(["erro.png", "nota.pdf"])
    expect(links.locator(".arrow")).to_have_count(2)
    expect(links.first.locator(".arrow")).to_be_visible()
    with servidor.expect_download() as download:
        links.nth(1).click()
    assert download.value.suggested_filename == "nota.pdf"

    phone = stack.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; from people.models import Person; "
        "from tickets.models import Module; from tickets.services import ticket_register_phone; "
        "t = ticket_register_phone(attendant=get_user_model().objects.get(username='atendente'), "
        "requester=Person.objects.get(user__username='servidor'), module_id=Module.objects.first().pk, "
        "reason='Ligou: o boleto não gera.'); print(t.pk)",
    )
    servidor.goto(f"/chat/atendimentos/{int(phone.split()[-1])}/")
    opening = servidor.locator("#dialog .msg").first
    expect(opening.locator(".msg-head")).to_have_text(
        re.compile(r"^Registrado por telefone por Ana Paula Schmitt \(\d\d/\d\d/\d{4} \d\d:\d\d(:\d\d)?\):$")
    )
    expect(opening.locator(".msg-body")).to_have_text("Ligou: o boleto não gera.")
    expect(servidor.locator("#dialog")).not_to_contain_text("HAUANA ANDRADE NEGHERBON diz")
