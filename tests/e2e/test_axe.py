"""WCAG 2.2 AA on every page (B19): axe-core finds no violation, and no page goes unscanned.

Each page of tests/e2e/a11y.py's SCANS is opened in Chromium on the live stack (daphne, Redis,
Celery) as the user it is for, in each language of LANGUAGES_TO_SCAN, at 1280 px and at 390 px;
the admin pages also in the admin's dark theme (prefers-color-scheme: dark). The scan waits for the
page's own ready state (loaded, every websocket caught up with "resumed", the network quiet), brings
it to its state (panel or dialog open, a file chosen...), then runs axe-core with the WCAG 2.0, 2.1
and 2.2 A and AA rules. A failure names the rule, each element's selector and the page.
"""

import json
import re

import pytest
from django.template.loader import render_to_string
from django.urls import URLResolver, include, path, re_path
from django.urls.resolvers import RoutePattern
from playwright.sync_api import Browser, expect

from tests.security.routes import http_routes

from .a11y import (
    ADMIN,
    ATENDENTE,
    LANGUAGE_CODES,
    LANGUAGES_TO_SCAN,
    NOT_PAGES,
    POST_ONLY,
    SCANS,
    SEM_CHAT,
    SEM_CONTATO,
    SERVIDOR,
    VIEWPORTS,
    Scan,
    Sockets,
    admin_templates,
    report,
    run_axe,
    stale,
    uncovered,
    unscanned_templates,
    wait_ready,
)
from .conftest import Stack, log_in

pytestmark = pytest.mark.e2e

#: What the scans need on the stack: a person with contacts and tickets in each state, one without contacts.
WORLD = """
import json
from django.contrib.auth import get_user_model
from people.models import Contact, Entity
from people.services import contact_add, person_create
from tests.attachments import samples
from tickets import services
from tickets.models import Module, TranscriptOutbox

User = get_user_model()
entity = Entity.objects.get(online_chat_enabled=True)
attendant = User.objects.get(username="atendente")
module = Module.objects.get(name="Nota Fiscal Eletrônica Web")

def person(username, name, contacts):
    user = User.objects.create_user(username, password=username)
    someone = person_create(entity=entity, name=name, document="", user=user)
    if contacts:
        contact_add(person=someone, kind=Contact.Kind.EMAIL, value=username + "@riodosul.sc.gov.br")
        contact_add(person=someone, kind=Contact.Kind.PHONE, value="(47) 3531-1200")
    return someone

servidor = person({servidor!r}, "BEATRIZ COSTA DE OLIVEIRA", True)
person({sem_contato!r}, "RAFAEL MOREIRA LIMA", False)

def opened(reason, files=()):
    return services.ticket_open(requester=servidor, module_id=module.pk, reason=reason, files=files)

answered = opened("A nota fiscal 1234 foi rejeitada.", [samples.upload("rejeicao.png", samples.png(), "image/png")])
services.ticket_take(ticket=answered, attendant=attendant)
services.ticket_message_create(
    ticket=answered, user=attendant, body="Boa tarde! Veja as orientações no arquivo.",
    files=[samples.upload("orientacoes.pdf", samples.pdf(note="Orientações"), "application/pdf")],
)
services.ticket_message_create(ticket=answered, user=servidor.user, body="Obrigada, vou verificar.")
# Issue 14: an internal note in the attendant's dialog, a shared canned reply for the reply box.
services.ticket_note_create(ticket=answered, user=attendant, body="Cliente confirmou o certificado por telefone.")
answered.refresh_from_db()
services.ticket_mark_read(ticket=answered, user=attendant)  # "Visto" under the requester's latest line
from tickets.models import CannedReply
canned = CannedReply.objects.create(title="Saudação", body="Olá, {{primeiro_nome}}! Sou {{atendente}}.")
# Long enough that the dialog scrolls on every screen, and without a file (whose link would take the
# focus): only a log that takes the keyboard focus itself can be scrolled without a mouse.
long = opened("Como corrijo a nota rejeitada?")
services.ticket_take(ticket=long, attendant=attendant)
steps = "\\n".join(f"{{n}}. Confira o campo {{n}} da nota e salve." for n in range(1, 41))
services.ticket_message_create(ticket=long, user=attendant, body="Passo a passo:\\n" + steps)
unread = opened("Como emitir a segunda via do carnê?")
services.ticket_take(ticket=unread, attendant=attendant)
services.ticket_message_create(ticket=unread, user=attendant, body="Pelo menu Tributos, opção Segunda via.")
waiting = opened("Não consigo acessar o módulo de protocolo.")
closed = opened("Dúvida já resolvida.")
# "Chat Off-Line": opened while a period exists but is not now; the stack goes back to always open.
from django.utils import timezone
from tickets.models import AttendancePeriod
tomorrow = (timezone.localdate().weekday() + 1) % 7
period = AttendancePeriod.objects.create(weekday=tomorrow, starts_at="08:00", ends_at="18:00")
offline = opened("Registrado fora do horário.")
period.delete()
services.ticket_conclude_by_requester(ticket=closed, user=servidor.user)
from routing.services import attendant_capacity_set
capacity = attendant_capacity_set(user=attendant, capacity=3)
# Issue 14, part A: a ticket a colleague holds, one handed over with a note, a colleague asking for one (the bar).
from routing.models import AttendantState
from routing.services import attendant_availability_set
colleague = User.objects.get(username="atendente2")
held = opened("Preciso de ajuda com o cadastro do contribuinte.")
services.ticket_take(ticket=held, attendant=colleague)
handed = opened("A guia de ISS saiu com o valor errado.")
services.ticket_take(ticket=handed, attendant=colleague)
attendant_availability_set(user=attendant, available=True)
note = "Ela já mandou o XML; falta conferir a alíquota."
services.ticket_transfer(ticket=handed, attendant=colleague, to=attendant, note=note)
# Away again without the service: it would send the ticket just handed over back to the queue.
AttendantState.objects.filter(user=attendant).update(available=False)
services.ticket_transfer_request(ticket=unread, attendant=colleague)
from attendance.models import OptionalHoliday, SpecialDay
from csat.services import csat_token
closed.refresh_from_db()
special = SpecialDay.objects.create(
    description="Véspera de Natal", starts_on="2030-12-24", ends_on="2030-12-24", opens_at="08:00", closes_at="12:00"
)
print(json.dumps({{
    "csat_token": csat_token(ticket=closed), "special": special.pk,
    "optional": OptionalHoliday.objects.get_or_create(name="Carnaval")[0].pk,
    "answered": answered.number, "waiting": waiting.number, "closed": closed.number,
    "offline": offline.number, "long": long.number,
    "outbox": TranscriptOutbox.objects.get(ticket=closed).pk, "person": servidor.pk,
    "entity": entity.pk, "module": module.pk, "attendantstate": capacity.pk, "canned": canned.pk,
    "held": held.number, "handed": handed.number,
}}))
"""


@pytest.fixture(scope="session")
def world(stack: Stack) -> dict:
    out = stack.manage("shell", "-c", WORLD.format(servidor=SERVIDOR, sem_contato=SEM_CONTATO))
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def sessions(browser: Browser, stack: Stack, world) -> dict:
    """One login per user and language for the whole scan (the storage state is reused by every context).

    The language is chosen with the page's own switch, which keeps it in that session; pt-BR is chosen last so
    that the accounts are left in the default language for the tests that follow.
    """
    states = {}
    for lang in sorted(LANGUAGES_TO_SCAN, key=lambda lang: lang == "pt-BR"):
        code = LANGUAGE_CODES[lang]
        for username in (SERVIDOR, SEM_CONTATO, SEM_CHAT, ATENDENTE, ADMIN):
            context = browser.new_context(base_url=stack.base_url, locale=lang)
            page = log_in(context.new_page(), username)
            page.goto("/admin/" if username in (ATENDENTE, ADMIN) else "/")
            switch = page.locator("form.language-form").first
            switch.locator("select[name=language]").select_option(code)
            switch.locator("button[type=submit]").click()
            page.wait_for_load_state("networkidle")
            expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{code}$", re.IGNORECASE))
            states[(username, lang)] = context.storage_state()
            context.close()
    return states


def _cases():
    for lang in LANGUAGES_TO_SCAN:
        for width in VIEWPORTS:
            for scan in SCANS:
                yield pytest.param(scan, lang, width, "light", id=f"{scan.id}-{width}-{lang}")
                # The admin's dark theme: colours do not depend on the width, so the desktop is enough.
                if scan.admin and width == "1280":
                    yield pytest.param(scan, lang, width, "dark", id=f"{scan.id}-{width}-{lang}-dark")


@pytest.mark.parametrize(("scan", "lang", "width", "scheme"), list(_cases()))
def test_page_has_no_wcag_22_aa_violation(browser: Browser, stack: Stack, sessions, world, scan, lang, width, scheme):
    context = browser.new_context(
        base_url=stack.base_url,
        locale=lang,
        viewport=VIEWPORTS[width],
        color_scheme=scheme,
        storage_state=sessions.get((scan.user, lang)),
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sockets = Sockets(page)
        response = page.goto(scan.path.format(**world))
        assert response is not None and response.status == scan.status, f"{scan.id}: {response and response.status}"
        wait_ready(page, sockets)
        if scan.prepare:
            scan.prepare(page)  # each ends by waiting for what it opened to be shown
        results = run_axe(page)
        assert not results["violations"], report(results["violations"], scan.id, page.url)
    finally:
        context.close()


@pytest.mark.parametrize("template", ["400.html", "500.html"])
def test_error_pages_the_stack_cannot_be_made_to_show_have_no_wcag_22_aa_violation(browser, stack, template):
    """400 and 500 are served in place of a page on the stack's own origin, with its stylesheet."""
    html = render_to_string(template)
    context = browser.new_context(base_url=stack.base_url, locale="pt-BR")
    try:
        page = context.new_page()
        page.route("**/erro-simulado/", lambda route: route.fulfill(status=500, body=html, content_type="text/html"))
        page.goto("/erro-simulado/")
        page.wait_for_load_state("networkidle")
        results = run_axe(page)
        assert not results["violations"], report(results["violations"], template, page.url)
    finally:
        context.close()


# --- no page goes unscanned ---------------------------------------------------------------------------


def test_every_staff_and_admin_page_has_a_scan_or_a_reason():
    """A new URL pattern (staff page, admin view, custom admin URL) fails here until it is scanned."""
    routes = http_routes()
    assert uncovered(routes, SCANS, NOT_PAGES) == []
    assert stale(routes, SCANS, NOT_PAGES) == []
    assert unscanned_templates(admin_templates(), SCANS) == []
    assert len({scan.id for scan in SCANS}) == len(SCANS), "two scans share an id"


def _noop(request):
    raise AssertionError("never called")


def test_the_coverage_check_reports_a_page_without_a_scan():
    """The check above can fail: a new staff page, a new admin view and a new admin template are reported."""
    inner = [path("tickets/ticket/relatorio/", _noop), re_path(r"^(?P<x>\d+)/$", _noop)]
    resolver = URLResolver(
        RoutePattern(""), [path("chat/", _noop), path("chat/nova-pagina/", _noop), path("admin/", include(inner))]
    )
    routes = http_routes(resolver)
    scans = [Scan("chat", "chat/", SERVIDOR, "/chat/")]
    assert uncovered(routes, scans, {r"admin/^(?P<x>\d+)/$": POST_ONLY}) == [
        "chat/nova-pagina/",
        "admin/tickets/ticket/relatorio/",
    ]
    assert stale(routes, [*scans, Scan("velha", "chat/velha/", None, "/")], {"sumiu/": POST_ONLY}) == [
        "chat/velha/",
        "sumiu/",
    ]
    assert unscanned_templates(["admin/base_site.html", "admin/tickets/ticket/novo.html"], SCANS) == [
        "admin/tickets/ticket/novo.html"
    ]


def test_routes_left_out_as_post_only_refuse_a_get(browser, stack, sessions, world):
    """A reason in NOT_PAGES is a claim: the POST-only routes really answer 405 to GET (no page hides there)."""
    context = browser.new_context(base_url=stack.base_url, storage_state=sessions[(ATENDENTE, "pt-BR")])
    try:
        for route, reason in NOT_PAGES.items():
            if reason != POST_ONLY:
                continue
            # Any number fills an id: require_POST answers before anything is looked up.
            url = "/" + re.sub(r"<int:\w+>", str(world["answered"]), route)
            response = context.request.get(url, max_redirects=0)
            assert response.status == 405, f"{route} answered {response.status} to GET"
    finally:
        context.close()
