"""The attendants' console, part A (issue 14), in real browsers: two attendants (and a supervisor, and the
requester where it matters) on the shared stack.

Each test makes its own attendants and requester; its attendants hold one ticket more than their capacity of 1,
so the stack's routing never offers them the shared world's waiting tickets, and are made away at the end.
"""

import json
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from .conftest import Stack, log_in

pytestmark = pytest.mark.e2e

LIVE = 15_000

WORLD = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from people.models import Contact, Entity
from people.services import contact_add, person_create
from routing.services import attendant_availability_set, attendant_capacity_set
from tickets import services
from tickets.models import Module
from tickets.permissions import attendants_group_ensure

User = get_user_model()
group = attendants_group_ensure(Group, Permission)
entity = Entity.objects.filter(online_chat_enabled=True).order_by("pk").first()
module = Module.objects.get(name="Nota Fiscal Eletrônica Web")
user = User.objects.create_user("req{tag}", password="req{tag}")
person = person_create(entity=entity, name="CLARA DO CONSOLE", document="", user=user)
contact_add(person=person, kind=Contact.Kind.EMAIL, value="req{tag}@riodosul.sc.gov.br")
contact_add(person=person, kind=Contact.Kind.PHONE, value="(47) 3531-1200")

def attendant(username, first, last):
    someone = User.objects.create_user(username, password=username, is_staff=True, first_name=first, last_name=last)
    someone.groups.add(group)
    attendant_capacity_set(user=someone, capacity=1)
    return someone

ana = attendant("ana{tag}", "Ana", "Console {tag}")
bia = attendant("bia{tag}", "Bia", "Console {tag}")
cid = attendant("cid{tag}", "Cid", "Console {tag}")
sara = attendant("sara{tag}", "Sara", "Supervisora {tag}")
sara.user_permissions.add(Permission.objects.get(codename="take_over_ticket"))

def opened(reason):
    return services.ticket_open(requester=person, module_id=module.pk, reason=reason)

# Each attendant holds one ticket: at capacity 1 the routing offers them nothing while they are available.
for someone in (ana, bia, cid, sara):
    services.ticket_take(ticket=opened("Ocupação de " + someone.username), attendant=someone)
main = opened("A nota 777 não autoriza.")
services.ticket_take(ticket=main, attendant=ana)
attendant_availability_set(user=bia, available=True)
print(json.dumps({{"ticket": main.number, "requester": "req{tag}", "ana": "ana{tag}", "bia": "bia{tag}",
                   "cid": "cid{tag}", "sara": "sara{tag}", "tag": "{tag}"}}))
"""

AWAY = """
from django.contrib.auth import get_user_model
from routing.models import AttendantState
AttendantState.objects.filter(user__username__endswith="{tag}").update(available=False)
"""


@pytest.fixture
def world(stack: Stack):
    tag = uuid.uuid4().hex[:6]
    out = stack.manage("shell", "-c", WORLD.format(tag=tag))
    data = json.loads(out.strip().splitlines()[-1])
    yield data
    stack.manage("shell", "-c", AWAY.format(tag=tag))


def page_of(new_context, username: str) -> Page:
    return log_in(new_context().new_page(), username)


def conversation(page: Page, number: int) -> None:
    page.goto(f"/admin/tickets/ticket/{number}/change/")
    expect(page.locator("#routing-bar")).to_be_visible()


def tones(page: Page) -> int:
    return int(page.locator("#routing-bar").get_attribute("data-tones") or 0)


def test_a_transfer_lists_who_is_available_and_its_note_reaches_the_receiver_live(world, new_context):
    number, tag = world["ticket"], world["tag"]
    requester = page_of(new_context, world["requester"])
    requester.goto(f"/chat/atendimentos/{number}/")
    bia = page_of(new_context, world["bia"])
    bia.goto("/admin/tickets/ticket/")
    expect(bia.locator("#routing-bar #routing-state")).to_have_text("Disponível")
    # The queue's summary counts who is available (the shared stack may have others).
    expect(bia.locator('[data-summary="available"]')).to_have_text(re.compile(r"^[1-9]\d*$"))
    before = tones(bia)

    ana = page_of(new_context, world["ana"])
    conversation(ana, number)
    choices = ana.get_by_label("Transferir para")
    expect(choices.locator("option", has_text=f"Bia Console {tag} — Disponível")).to_be_enabled()
    expect(choices.locator("option", has_text=f"Cid Console {tag} — Ausente")).to_be_disabled()
    choices.select_option(label=f"Bia Console {tag} — Disponível")
    ana.get_by_label("Nota para o atendente (só atendentes veem)").fill("Ela já reenviou o XML; falta a série.")
    ana.get_by_role("button", name="Transferir").click()
    expect(ana.locator(".messagelist")).to_contain_text(f"Atendimento {number} transferido para Bia Console {tag}.")

    # Bia's page, untouched: the bar tells her, with the note, and sounds.
    notice = bia.locator(".routing-notice").filter(has_text=f"transferiu o atendimento {number} para você")
    expect(notice).to_be_visible(timeout=LIVE)
    expect(notice).to_contain_text("Ela já reenviou o XML; falta a série.")
    assert tones(bia) > before
    # The requester reads the system line only.
    expect(requester.locator("#dialog li.msg-system").last).to_have_text(
        f"Atendimento transferido de Ana Console {tag} para Bia Console {tag}", timeout=LIVE
    )
    expect(requester.locator("body")).not_to_contain_text("reenviou o XML")

    notice.get_by_role("link").click()
    expect(bia.locator(".handoff-note")).to_contain_text("Ela já reenviou o XML; falta a série.")
    expect(bia.locator("#message-form")).to_be_visible()
    expect(bia.locator(".routing-notice")).to_have_count(0)


def test_a_colleague_asks_for_the_ticket_and_a_take_over_locks_the_stale_page_keeping_the_draft(world, new_context):
    number, tag = world["ticket"], world["tag"]
    ana = page_of(new_context, world["ana"])
    conversation(ana, number)
    draft = "Rascunho longo que a Ana não pode perder."
    ana.get_by_label("Mensagem:").fill(draft)

    cid = page_of(new_context, world["cid"])
    conversation(cid, number)
    expect(cid.locator("#holder-note")).to_contain_text(f"Este atendimento está com Ana Console {tag}.")
    expect(cid.locator("#message-form")).to_have_count(0)
    cid.get_by_role("button", name="Solicitar transferência").click()
    expect(cid.locator(".messagelist")).to_contain_text(f"Pedido de transferência enviado a Ana Console {tag}.")

    request = ana.locator(".routing-notice").filter(has_text=f"pede a transferência do atendimento {number}")
    expect(request).to_contain_text(f"Cid Console {tag}", timeout=LIVE)

    sara = page_of(new_context, world["sara"])
    conversation(sara, number)
    sara.get_by_role("button", name="Assumir", exact=True).click()
    expect(sara.locator("#message-form")).to_be_visible()

    # Ana's page, opened before: locked with a notice that says who, and the draft is still there.
    expect(ana.locator("#holder-changed")).to_contain_text(
        f"Este atendimento foi assumido por Sara Supervisora {tag}.", timeout=LIVE
    )
    box = ana.get_by_label("Mensagem:")
    expect(box).to_have_value(draft)
    expect(box).to_have_attribute("readonly", "")
    expect(ana.locator("#message-form [type=submit]")).to_be_disabled()
    box.press("Enter")
    expect(box).to_have_value(draft)
    expect(ana.locator(".routing-notice").filter(has_text=f"assumiu o atendimento {number}")).to_be_visible(
        timeout=LIVE
    )


def test_concluding_asks_first_and_says_the_transcript_goes_to_the_requester(world, new_context):
    number = world["ticket"]
    ana = page_of(new_context, world["ana"])
    conversation(ana, number)
    status = ana.get_by_label("Nova situação")
    expect(status).to_have_value("")

    status.select_option(label="Concluído")
    ana.get_by_role("button", name="Alterar situação").click()
    expect(ana.locator("#transcript-warning")).to_contain_text(
        "A transcrição da conversa será enviada por e-mail ao solicitante, CLARA DO CONSOLE."
    )
    ana.get_by_role("link", name="Não, voltar ao atendimento").click()
    expect(ana.locator("#ticket-status")).to_have_text("Em Atendimento")

    ana.get_by_label("Nova situação").select_option(label="Concluído")
    ana.get_by_role("button", name="Alterar situação").click()
    ana.get_by_role("button", name="Sim, concluir e enviar a transcrição").click()
    expect(ana.locator("#ticket-status")).to_have_text("Concluído")
