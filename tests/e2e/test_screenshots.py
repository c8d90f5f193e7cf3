"""The README's pictures, taken from the live stack: `make screenshots` writes them (SCREENSHOTS=1).

Without SCREENSHOTS=1 the same steps run as one more journey check and nothing is written, so a
page that stops looking like the pictures fails here before anyone retakes them.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import ROOT, Stack, log_in
from .helpers import (
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

SHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
MAX_BYTES = 200 * 1024

# Other people's tickets and an older one of the servidor's, so the queue and "Meus Atendimentos" look lived in.
HISTORY = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from people.models import Contact, Entity, Person
from people.services import contact_add, person_create
from tickets import services
from tickets.models import Module, Ticket

User = get_user_model()
entity = Entity.objects.get(online_chat_enabled=True)
attendant2 = User.objects.get(username="atendente2")
servidor = Person.objects.get(user__username="servidor")
now = timezone.now()

def module(name):
    return Module.objects.get(name=name).pk

user = User.objects.create_user("rosana", password="rosana")
rosana = person_create(entity=entity, name="ROSANA APARECIDA KLEIN", user=user)
contact_add(person=rosana, kind=Contact.Kind.EMAIL, value="rosana.klein@riodosul.sc.gov.br")
contact_add(person=rosana, kind=Contact.Kind.PHONE, value="(47) 3531-1288")
services.ticket_open(requester=rosana, user=user, module_id=module("Tributos"),
    reason="O carnê do IPTU saiu sem o desconto à vista.", now=now - timedelta(minutes=23))
services.ticket_register_phone(attendant=attendant2, requester=rosana, module_id=module("Folha de Pagamento"),
    reason="Ligou pedindo a segunda via do holerite de outubro.")
old = services.ticket_open(requester=servidor, user=servidor.user, module_id=module("Protocolo"),
    reason="Como anexo um documento a um processo já aberto?", now=now - timedelta(days=6, hours=3))
services.ticket_take(ticket=old, attendant=attendant2)
services.ticket_message_create(ticket=old, user=attendant2,
    body="Abra o processo, use a aba Documentos e clique em Incluir.")
services.ticket_status_change(ticket=Ticket.objects.get(pk=old.pk), attendant=attendant2, status="concluido")
services.ticket_mark_read(ticket=Ticket.objects.get(pk=old.pk), user=servidor.user)
"""


@pytest.fixture(scope="module")
def history(stack: Stack) -> None:
    stack.manage("shell", "-c", HISTORY)


def shoot(page: Page, name: str) -> None:
    """Writes docs/screenshots/<name>.png when asked to (SCREENSHOTS=1); always checks the page is laid out."""
    expect(page.locator("body")).to_be_visible()
    if os.environ.get("SCREENSHOTS") != "1":
        return
    path = SHOTS / f"{name}.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    # The picture shows the page at rest: no caret or focus ring left by the steps that filled it in.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.screenshot(path=path, animations="disabled", caret="hide")
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"


def test_screenshots_of_the_staff_chat_the_gate_and_the_admin_queue(
    stack: Stack, new_context, history, contactless_user
) -> None:
    servidor = log_in(new_context(viewport=VIEWPORT).new_page(), "servidor")
    attendant = log_in(new_context(viewport=VIEWPORT).new_page(), "atendente")

    number = open_new_ticket(
        servidor,
        "Ao transmitir a NFS-e 1234 aparece a rejeição E160 (CNPJ do tomador inválido). Segue o print da tela.",
        {"rejeicao-e160.png": (png_bytes("steelblue", (320, 200)), "image/png")},
    )
    shoot(servidor, "conversation-waiting")
    with live_sockets(servidor, "/ws/toolbar/") as toolbar:
        servidor.goto("/")
        toolbar.wait_for("hello")
    unread_before = badge_count(servidor)

    take_ticket(attendant, number)
    reply_as_attendant(
        attendant,
        "Boa tarde! O CNPJ do tomador está com um dígito trocado no cadastro. Corrigi e reenviei a nota; "
        "segue o comprovante de autorização.",
        {"comprovante-autorizacao.pdf": (pdf_bytes("Comprovante"), "application/pdf")},
    )
    shoot(attendant, "admin-conversation")

    expect(servidor.locator("#chat-badge")).to_have_text(str(unread_before + 1))
    shoot(servidor, "shell-badge")

    servidor.locator("#chat-icon").click()
    expect(servidor.locator(f'#chat-panel .ticket-row.unread[data-number="{number}"]')).to_be_visible()
    shoot(servidor, "panel")

    servidor.goto("/chat/")
    expect(servidor.locator(".group-row")).to_have_text(["Em andamento", "Finalizados"])
    shoot(servidor, "tab-meus-atendimentos")

    servidor.goto(f"/chat/atendimentos/{number}/")
    expect(servidor.locator("#dialog")).to_contain_text("comprovante-autorizacao.pdf")
    servidor.get_by_label("Mensagem:").fill("Obrigada! A nota foi autorizada.")
    shoot(servidor, "conversation")

    servidor.goto("/chat/novo/")
    servidor.get_by_label("Módulo:").select_option(label="Tributos")
    servidor.get_by_label("Digite o motivo do atendimento:").fill("Preciso emitir a certidão negativa de débitos.")
    drop_files(servidor, {"certidao-anterior.pdf": (pdf_bytes("Certidão"), "application/pdf")})
    expect(servidor.locator(".dropzone-file-name")).to_have_count(1)
    shoot(servidor, "tab-novo-atendimento")

    servidor.goto("/chat/meus-dados/")
    expect(servidor.locator(".data-list")).to_contain_text("servidor@riodosul.sc.gov.br")
    shoot(servidor, "tab-meus-dados")

    newcomer = log_in(new_context(viewport=VIEWPORT).new_page(), contactless_user)
    newcomer.locator("#chat-icon").click()
    newcomer.locator("#chat-panel").get_by_role("link", name="Abrir Chat").click()
    expect(newcomer.get_by_role("dialog", name="Erro (EST-000206)")).to_be_visible()
    shoot(newcomer, "est-000206")

    attendant.goto("/admin/tickets/ticket/")
    expect(attendant.locator("#result_list")).to_contain_text("ROSANA APARECIDA KLEIN")
    shoot(attendant, "admin-queue")


def test_screenshots_in_the_repository_are_small_and_the_size_of_a_laptop_screen() -> None:
    from PIL import Image

    pictures = sorted(Path(SHOTS).glob("*.png"))
    assert {p.stem for p in pictures} >= {
        "shell-badge",
        "panel",
        "tab-meus-atendimentos",
        "tab-novo-atendimento",
        "tab-meus-dados",
        "conversation",
        "est-000206",
        "admin-queue",
    }
    for picture in pictures:
        assert picture.stat().st_size < MAX_BYTES, picture.name
        with Image.open(picture) as image:
            assert image.size == (VIEWPORT["width"], VIEWPORT["height"]), picture.name
