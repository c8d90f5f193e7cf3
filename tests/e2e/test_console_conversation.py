"""The attendants' console (issue 14, part C) in two browsers, the requester's and the attendant's, on the
live stack: typing both ways, "Visto" both ways, internal notes that never reach the requester, canned replies."""

import json
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from .helpers import open_new_ticket, take_ticket

pytestmark = pytest.mark.e2e

REQUESTER = "HAUANA ANDRADE NEGHERBON"
ATTENDANT = "Ana Paula Schmitt"
REQUESTER_BOX = "Digite o motivo do atendimento:"


def record_frames(page: Page, number: int) -> list[dict]:
    """Every frame the page's conversation socket receives, decoded, from now on (for what must never come)."""
    frames: list[dict] = []

    def on_socket(socket):
        if socket.url.endswith(f"/ws/tickets/{number}/"):
            socket.on("framereceived", lambda payload: frames.append(json.loads(payload)))

    page.on("websocket", on_socket)
    return frames


def wait_frame(page: Page, frames: list[dict], kind: str, timeout_ms: int = 15_000) -> dict:
    for _ in range(timeout_ms // 50):
        found = [frame for frame in frames if frame.get("type") == kind]
        if found:
            return found[-1]
        page.wait_for_timeout(50)
    raise AssertionError(f"no {kind} frame (got {[f.get('type') for f in frames]})")


def pair(login_as, reason: str):
    """The requester on their open ticket, the attendant on the same ticket, taken; both sockets resumed."""
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, reason)
    servidor_frames = record_frames(servidor, number)
    servidor.reload()
    wait_frame(servidor, servidor_frames, "resumed")
    attendant = login_as("atendente")
    attendant_frames = record_frames(attendant, number)
    take_ticket(attendant, number)
    # The page after "Assumir" with its socket resumed (frames of the pages before it do not count).
    attendant_frames.clear()
    attendant.reload()
    wait_frame(attendant, attendant_frames, "resumed")
    return number, servidor, servidor_frames, attendant, attendant_frames


def test_each_side_sees_the_other_typing_in_a_polite_live_region_until_the_message_or_silence(login_as):
    number, servidor, _, attendant, _ = pair(login_as, "Erro ao gerar a guia, podem ajudar?")
    for page in (servidor, attendant):
        indicator = page.locator("#typing-indicator")
        expect(indicator).to_have_attribute("aria-live", "polite")
        expect(indicator).to_have_attribute("role", "status")

    attendant.get_by_label("Mensagem:").press_sequentially("Vou verificar", delay=30)
    expect(servidor.locator("#typing-indicator")).to_have_text(f"{ATTENDANT} está digitando\u2026")
    attendant.get_by_role("button", name="Enviar", exact=True).click()
    expect(servidor.locator("#dialog .msg-attendant").filter(has_text="Vou verificar")).to_have_count(1)
    # The message arrived: the indicator is gone at once, not after the silence.
    expect(servidor.locator("#typing-indicator")).to_have_text("", timeout=3_000)

    servidor.get_by_label(REQUESTER_BOX).press_sequentially("Obrigada", delay=30)
    expect(attendant.locator("#typing-indicator")).to_have_text(f"{REQUESTER} está digitando\u2026")
    # Five seconds of silence: gone, with nothing sent.
    expect(attendant.locator("#typing-indicator")).to_have_text("", timeout=15_000)
    expect(attendant.locator("#dialog .msg-requester").filter(has_text="Obrigada")).to_have_count(0)


def test_visto_shows_under_the_latest_line_once_the_other_side_has_read_it(login_as):
    number, servidor, _, attendant, attendant_frames = pair(login_as, "Não consigo emitir a nota de serviço.")
    # The attendant opened the ticket: the requester's latest line reads "Visto".
    expect(servidor.locator("#dialog li.msg-requester").last.locator(".msg-seen")).to_have_text("Visto")

    # The requester leaves the conversation; the reply is not seen yet.
    servidor.goto("/chat/")
    attendant.get_by_label("Mensagem:").fill("Qual o código do erro?")
    attendant.get_by_role("button", name="Enviar", exact=True).click()
    reply = attendant.locator("#dialog li.msg-attendant[data-id]").filter(has_text="Qual o código do erro?")
    expect(reply).to_have_count(1)
    expect(reply.locator(".msg-seen")).to_have_count(0)
    assert not [f for f in attendant_frames if f.get("type") == "ticket.seen" and f["seen"]["side"] == "requester"]

    # The requester opens it again and reads it: the attendant sees when, live.
    servidor.goto(f"/chat/atendimentos/{number}/")
    expect(reply.locator(".msg-seen")).to_have_text(re.compile(r"^Visto às \d\d:\d\d$"))
    # Only under the latest line: a newer reply takes the mark away until it is read too.
    servidor.goto("/chat/")
    attendant.get_by_label("Mensagem:").fill("Pode enviar a tela?")
    attendant.get_by_role("button", name="Enviar", exact=True).click()
    expect(attendant.locator("#dialog .msg-seen")).to_have_count(0)


def test_an_internal_note_is_marked_for_attendants_and_never_reaches_the_requester(login_as):
    note = f"Nota interna {uuid.uuid4().hex[:6]}: cliente já ligou, conferir certificado."
    number, servidor, servidor_frames, attendant, attendant_frames = pair(login_as, "A nota foi rejeitada pela SEFAZ.")

    # Writing a note sends no typing event: the requester must not learn a note is being written.
    attendant.get_by_label("Texto da nota interna:").press_sequentially(note[:30], delay=20)
    attendant.get_by_label("Texto da nota interna:").fill(note)
    attendant_frames.clear()
    attendant.get_by_role("button", name="Gravar nota interna").click()
    line = attendant.locator("#dialog li.msg-kind-note").filter(has_text=note)
    expect(line).to_have_count(1)
    expect(line.locator(".note-label")).to_have_text("Nota interna")
    expect(attendant.get_by_text("Nota interna gravada. Só os atendentes a veem.")).to_be_visible()
    wait_frame(attendant, attendant_frames, "resumed")  # the page after the note, live again

    # The note's page came back (a round trip after the typing): no typing event reached the requester.
    assert not [f for f in servidor_frames if f.get("type") == "ticket.typing"]
    expect(servidor.locator("#typing-indicator")).to_have_text("")
    # A reply after the note: once the requester has it, the note (saved before) would have come before it.
    attendant.get_by_label("Mensagem:").press_sequentially("Já estou verificando.", delay=20)
    expect(servidor.locator("#typing-indicator")).to_have_text(f"{ATTENDANT} está digitando…")
    attendant.get_by_role("button", name="Enviar", exact=True).click()
    expect(
        attendant.locator("#dialog li.msg-attendant[data-id]").filter(has_text="Já estou verificando.")
    ).to_have_count(1)
    expect(servidor.locator("#dialog .msg-attendant").filter(has_text="Já estou verificando.")).to_have_count(
        1, timeout=15_000
    )
    assert note not in json.dumps(servidor_frames, ensure_ascii=False)
    expect(servidor.locator("#dialog")).not_to_contain_text(note)
    expect(servidor.locator(".msg-kind-note")).to_have_count(0)
    # Nor after a reload, in the panel, "Meus Atendimentos" or the badge.
    servidor.reload()
    expect(servidor.locator("#dialog .msg-attendant").filter(has_text="Já estou verificando.")).to_have_count(1)
    expect(servidor.locator("body")).not_to_contain_text(note)
    for path in ("/chat/", "/chat/atendimento-on-line/", "/privacidade/meus-dados/"):
        servidor.goto(path)
        expect(servidor.locator("body")).not_to_contain_text(note)


def test_an_empty_or_marked_up_note_is_refused_with_a_message_and_the_text_kept(login_as):
    _number, _servidor, _, attendant, _ = pair(login_as, "Dúvida sobre o protocolo.")
    box = attendant.get_by_label("Texto da nota interna:")
    box.fill("<b>importante</b>")
    attendant.get_by_role("button", name="Gravar nota interna").click()
    expect(attendant.locator("#note-error")).to_have_text(
        "A nota interna não pode conter marcação (HTML); escreva apenas texto."
    )
    expect(attendant.get_by_label("Texto da nota interna:")).to_have_value("<b>importante</b>")
    expect(attendant.locator("#dialog li.msg-kind-note")).to_have_count(0)


def test_canned_replies_are_kept_in_the_admin_and_inserted_with_slash_and_enter(login_as):
    token = uuid.uuid4().hex[:6]
    admin = login_as("admin")
    admin.goto("/admin/tickets/cannedreply/add/")
    admin.get_by_label("Título:").fill(f"Saudação {token}")
    admin.get_by_label("Texto:").fill("Olá {cliente}!")
    admin.get_by_role("button", name="Salvar", exact=True).click()
    expect(admin.locator(".errorlist")).to_contain_text("Variável desconhecida: {cliente}.")
    admin.get_by_label("Texto:").fill("Olá, {primeiro_nome}! Sou {atendente}, atendimento {numero} ({modulo}).")
    admin.get_by_role("button", name="Salvar", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text(f"Saudação {token}")

    number, _servidor, _, attendant, _ = pair(login_as, "Preciso de ajuda com o cadastro.")
    box = attendant.get_by_label("Mensagem:")
    box.press_sequentially(f"/{token}", delay=30)
    listbox = attendant.get_by_role("listbox", name="Respostas prontas")
    expect(listbox).to_be_visible()
    option = listbox.get_by_role("option").filter(has_text=f"Saudação {token}")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    box.press("Enter")
    expect(box).to_have_value(f"Olá, HAUANA! Sou {ATTENDANT}, atendimento {number} (Nota Fiscal Eletrônica Web).")
    expect(listbox).to_be_hidden()
    # Escape closes the list and leaves the text as typed.
    box.press_sequentially(" /zzz-nenhuma", delay=20)
    expect(attendant.locator("#canned-status")).to_have_text("Nenhuma resposta pronta com esse título.")
    box.press("Escape")
    expect(listbox).to_be_hidden()
