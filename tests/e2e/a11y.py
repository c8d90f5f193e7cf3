"""The accessibility scan's list of pages, its coverage check and the axe-core runner (WCAG 2.2 AA, B19).

Every page a user can reach is scanned by axe-core (axe-playwright-python, which ships axe.min.js in
its wheel: nothing is fetched at run time) in every language of LANGUAGES_TO_SCAN, at a desktop and a
phone width, with its panel and dialogs closed and open. A URL pattern (staff side, attachments, admin,
i18n) that is neither scanned nor listed in NOT_PAGES with the reason it needs no scan is reported by
`uncovered`; a template under templates/admin/ that no scan claims, by `unscanned_templates`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]

#: Browser locales the pages are scanned in, and the language each one chooses with the page's switch.
LANGUAGES_TO_SCAN = ["pt-BR", "en-US"]
LANGUAGE_CODES = {"pt-BR": "pt-br", "en-US": "en"}

#: A desktop and a phone (B11: any screen from 390 px).
VIEWPORTS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}

#: WCAG 2.0, 2.1 and 2.2 at levels A and AA: what ABNT NBR 17225:2025 and e-MAG ask for.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

# Reasons a URL pattern has no scan of its own.
POST_ONLY = "POST only: answers 405 to GET, the form that posts to it is scanned"
NOT_HTML = "not an HTML page"
REDIRECT = "only redirects"
STOCK = "Django's or django-axes' own page, not customised by the product"
STOCK_VIEW = "Django's stock history or delete confirmation, not customised by the product"
NO_ROW = "the live stack keeps no attendance period (attendance always open); the same form as its add page"


@dataclass(frozen=True)
class Scan:
    """One page in one state.

    `route` is the URL pattern it covers (as `tests.security.routes.http_routes` spells it); `path` may name
    objects of the scan's world ({answered}, {person}...); `prepare` brings the page to its state and waits
    for it; `admin` adds the dark theme; `templates` are the admin templates it renders.
    """

    id: str
    route: str
    user: str | None
    path: str
    prepare: Callable[[Page], None] | None = None
    admin: bool = False
    status: int = 200
    templates: tuple[str, ...] = ()


# --- states reached with the keyboard or the mouse, as a user would ---------------------------------


def open_panel(page: Page) -> None:
    page.locator("#chat-icon").click()
    expect(page.locator("#chat-panel .panel-body")).to_be_visible()
    expect(page.locator("#chat-panel .ticket-row, #chat-panel [data-open-chat]").first).to_be_focused()


def open_gate_dialog(page: Page) -> None:
    open_panel(page)
    # By role and place, not by text: the scan runs in every language.
    page.locator("#chat-panel a[data-open-chat]").click()
    expect(page.locator("dialog#gate-dialog")).to_be_visible()


def open_gate_details(page: Page) -> None:
    open_gate_dialog(page)
    page.locator("#gate-dialog summary").click()
    expect(page.locator("#gate-dialog .details-body")).to_be_visible()


def choose_a_file(page: Page) -> None:
    """A file in the drop zone's list, with its remove button, and a refused one with its alert."""
    page.locator("[data-dropzone] input[type=file]").set_input_files(
        [
            {"name": "nota.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"},
            {"name": "planilha.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"},
        ]
    )
    expect(page.locator(".dropzone-file-name")).to_have_count(1)
    expect(page.locator("[data-dropzone-errors]")).not_to_be_empty()


def open_requester_search(page: Page) -> None:
    """The requester autocomplete (select2) open, with results listed."""
    page.locator(".select2-selection").first.click()
    search = page.locator(".select2-container--open .select2-search__field")
    expect(search).to_be_visible()
    search.fill("a")
    expect(page.locator(".select2-results__option:not(.loading-results)").first).to_be_visible()


def show_schedule_fields(page: Page) -> None:
    page.locator("#id_status").select_option(value="agendado")
    expect(page.locator("#id_scheduled_date")).to_be_visible()


def fail_csrf(page: Page) -> None:
    """The login form posted after its CSRF cookie was lost: Django's CSRF failure page (403_csrf.html)."""
    page.context.clear_cookies()
    page.fill("input[name=username]", "ninguem")
    page.fill("input[name=password]", "ninguem")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def search_for_nobody(page: Page) -> None:
    """The queue filtered by a search that finds nothing: the empty list and its message."""
    page.locator("#searchbar").fill("ninguém com este nome")
    page.locator("#searchbar").press("Enter")
    page.wait_for_url("**/admin/tickets/ticket/?q=*")


def open_shortcuts(page: Page) -> None:
    """The console's list of keyboard shortcuts, opened with "?" (issue 14)."""
    page.locator("body").press("?")
    expect(page.locator("#console-keys-dialog")).to_be_visible()


def show_session_ended(page: Page) -> None:
    """The login page after a logout in another tab: it says the session ended (issue 13)."""
    page.context.add_cookies([{"name": "session_ended", "value": "1", "url": page.url}])
    page.reload()
    expect(page.locator(".session-ended")).to_be_visible()


def reveal_identity(page: Page) -> None:
    """ "Mostrar" pressed in "Mais Informações": the whole CPF and contacts in place, the focus on them."""
    page.locator("[data-reveal-form] button").click()
    expect(page.locator('.conversation-side [data-reveal="document"]')).to_be_focused()


def ask_to_anonymise(page: Page) -> None:
    """The data subjects' list with a person chosen for "Anonimizar": the confirmation page (nothing done yet)."""
    page.locator("input.action-select").first.check()
    page.locator("select[name=action]").select_option(value="anonymise_action")
    page.locator("button[name=index]").click()
    expect(page.locator("input[name=confirm]")).to_have_count(1)


def ask_to_conclude(page: Page) -> None:
    """ "Concluído" chosen and "Alterar situação" pressed: the confirmation page (nothing concluded yet)."""
    page.locator("#id_status").select_option(value="concluido")
    page.locator("#status-form button[type=submit]").click()
    expect(page.locator("#conclude-form")).to_be_visible()


def ticket_taken_by_a_colleague(page: Page) -> None:
    """The page went stale: the server's "ticket.status" frame says a colleague holds the ticket now.

    The frame is injected into the page's own socket (the server's shape; the real take-over is proven in
    tests/e2e/test_console_ownership.py), so that the world's ticket stays the scanning attendant's for the next scan.
    """
    routes = []

    def handler(route) -> None:
        route.connect_to_server()
        routes.append(route)

    page.route_web_socket("**/ws/tickets/**", handler)
    page.reload()
    page.locator("#message-body").fill("Rascunho que não pode se perder.")
    for _ in range(400):  # the page's socket, routed: a condition polled, not a fixed sleep
        if routes:
            break
        page.wait_for_timeout(25)
    frame = {
        "type": "ticket.status",
        "ticket": {
            "id": 0,
            "status": "em_atendimento",
            "status_display": "Em Atendimento",
            "closed": False,
            "attendant_id": -1,
            "attendant_name": "Bruno Kowalski",
        },
    }
    routes[0].send(json.dumps(frame))
    expect(page.locator("#holder-changed")).to_be_visible()
    expect(page.locator("#message-body")).to_have_value("Rascunho que não pode se perder.")


def show_note_error(page: Page) -> None:
    """An empty internal note posted: the page again with the note's error (issue 14); nothing is saved."""
    page.locator("#note-form button[type=submit]").click()
    expect(page.locator("#note-error")).to_be_visible()


def open_canned_replies(page: Page) -> None:
    """ "/" typed in the reply box: the canned replies' listbox open, its first option active (issue 14)."""
    page.locator("#message-body").press_sequentially("/")
    expect(page.locator("#canned-list [role=option]").first).to_have_attribute("aria-selected", "true")


def show_requester_typing(page: Page) -> None:
    """The requester typing, as the socket reports it (the event realtime.js relays): the indicator filled."""
    page.evaluate(
        """() => document.dispatchEvent(new CustomEvent("atende:typing",
             { detail: { side: "requester", name: "BEATRIZ COSTA DE OLIVEIRA" } }))"""
    )
    expect(page.locator("#typing-indicator")).not_to_be_empty()


def show_attendant_typing(page: Page) -> None:
    page.evaluate(
        """() => document.dispatchEvent(new CustomEvent("atende:typing",
             { detail: { side: "attendant", name: "Ana Paula Schmitt" } }))"""
    )
    expect(page.locator("#typing-indicator")).not_to_be_empty()


SERVIDOR = "axe-servidor"
SEM_CONTATO = "axe-semcontato"
#: The demo person whose entity has the chat switched off (seed_demo).
SEM_CHAT = "semchat"
ATENDENTE = "atendente"
ADMIN = "admin"

SCANS: list[Scan] = [
    # Staff side (the ERP shell and the chat window).
    Scan("login", "accounts/login/", None, "/accounts/login/"),
    Scan("login-csrf-error", "accounts/login/", None, "/accounts/login/", fail_csrf),
    Scan("login-session-ended", "accounts/login/", None, "/accounts/login/", show_session_ended),
    Scan("home", "", SERVIDOR, "/"),
    Scan("home-panel-open", "chat/painel/", SERVIDOR, "/", open_panel),
    Scan("chat-meus-atendimentos", "chat/", SERVIDOR, "/chat/"),
    Scan("chat-novo", "chat/novo/", SERVIDOR, "/chat/novo/"),
    Scan("chat-novo-files", "chat/novo/", SERVIDOR, "/chat/novo/", choose_a_file),
    Scan("chat-meus-dados", "chat/meus-dados/", SERVIDOR, "/chat/meus-dados/"),
    Scan("chat-conversation", "chat/atendimentos/<int:number>/", SERVIDOR, "/chat/atendimentos/{answered}/"),
    Scan(
        "chat-conversation-files",
        "chat/atendimentos/<int:number>/",
        SERVIDOR,
        "/chat/atendimentos/{answered}/",
        choose_a_file,
    ),
    Scan("chat-conversation-scrolling", "chat/atendimentos/<int:number>/", SERVIDOR, "/chat/atendimentos/{long}/"),
    Scan("chat-conversation-waiting", "chat/atendimentos/<int:number>/", SERVIDOR, "/chat/atendimentos/{waiting}/"),
    # Issue 14: "Ana Paula Schmitt está digitando…" and "Visto" under the requester's latest line.
    Scan(
        "chat-conversation-typing-seen",
        "chat/atendimentos/<int:number>/",
        SERVIDOR,
        "/chat/atendimentos/{answered}/",
        show_attendant_typing,
    ),
    Scan("chat-conversation-closed", "chat/atendimentos/<int:number>/", SERVIDOR, "/chat/atendimentos/{closed}/"),
    Scan("chat-conversation-offline", "chat/atendimentos/<int:number>/", SERVIDOR, "/chat/atendimentos/{offline}/"),
    Scan(
        "chat-informacoes",
        "chat/atendimentos/<int:number>/informacoes/",
        SERVIDOR,
        "/chat/atendimentos/{answered}/informacoes/",
    ),
    Scan("chat-atendimento-on-line", "chat/atendimento-on-line/", SERVIDOR, "/chat/atendimento-on-line/"),
    Scan("cadastro", "cadastro/", SERVIDOR, "/cadastro/"),
    Scan("cadastro-incomplete", "cadastro/", SEM_CONTATO, "/cadastro/"),
    Scan(
        "email-confirm-bad-link",
        "cadastro/confirmar-email/<str:token>/",
        None,
        "/cadastro/confirmar-email/link-invalido/",
        status=400,
    ),
    Scan("gate-page", "chat/", SEM_CONTATO, "/chat/", status=403),
    Scan("chat-off", "chat/novo/", SEM_CHAT, "/chat/novo/", status=403),
    Scan("privacy-notice", "privacidade/aviso/", None, "/privacidade/aviso/"),
    Scan("privacy-my-data", "privacidade/meus-dados/", SERVIDOR, "/privacidade/meus-dados/"),
    Scan("gate-dialog", "chat/painel/", SEM_CONTATO, "/", open_gate_dialog),
    Scan("gate-dialog-details", "chat/painel/", SEM_CONTATO, "/", open_gate_details),
    Scan("not-found", "chat/atendimentos/<int:number>/", SERVIDOR, "/chat/atendimentos/999999999/", status=404),
    # The satisfaction survey's e-mail link (issue 17): no login; a bad link is a clear 400 page.
    Scan("csat-link", "chat/avaliacao/<str:token>/", None, "/chat/avaliacao/{csat_token}/"),
    Scan("csat-link-bad", "chat/avaliacao/<str:token>/", None, "/chat/avaliacao/link-invalido/", status=400),
    # The admin pages of the product: attendants' and administrators'.
    Scan("admin-login", "admin/login/", None, "/admin/login/", admin=True),
    Scan("admin-index", "admin/", ADMIN, "/admin/", admin=True, templates=("admin/base_site.html",)),
    Scan("admin-index-attendant", "admin/", ATENDENTE, "/admin/", admin=True),
    Scan(
        "admin-queue",
        "admin/tickets/ticket/",
        ATENDENTE,
        "/admin/tickets/ticket/",
        admin=True,
        templates=(
            "admin/tickets/ticket/change_list.html",
            "admin/search_form.html",
            "admin/tickets/ticket/_console.html",
        ),
    ),
    Scan("admin-queue-shortcuts", "admin/tickets/ticket/", ATENDENTE, "/admin/tickets/ticket/", open_shortcuts),
    Scan(
        "admin-conversation-shortcuts",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{answered}/change/",
        open_shortcuts,
    ),
    Scan("admin-queue-settings", "admin/tickets/queuesettings/", ADMIN, "/admin/tickets/queuesettings/", admin=True),
    Scan(
        "admin-queue-settings-add",
        "admin/tickets/queuesettings/add/",
        ADMIN,
        "/admin/tickets/queuesettings/add/",
        admin=True,
    ),
    Scan("admin-queue-search", "admin/tickets/ticket/", ATENDENTE, "/admin/tickets/ticket/", search_for_nobody),
    Scan(
        "admin-conversation",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{answered}/change/",
        admin=True,
        templates=(
            "admin/tickets/ticket/conversation.html",
            "admin/tickets/ticket/_breadcrumbs.html",
            "admin/tickets/ticket/_note_form.html",
            "admin/tickets/ticket/_canned.html",
        ),
    ),
    # Issue 14: a note refused, the canned replies open, the requester typing (a note and "Visto às" are in the world).
    Scan(
        "admin-conversation-note-error",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{answered}/change/",
        show_note_error,
        admin=True,
        status=200,
    ),
    Scan(
        "admin-conversation-canned-open",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{answered}/change/",
        open_canned_replies,
        admin=True,
    ),
    Scan(
        "admin-conversation-typing",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{answered}/change/",
        show_requester_typing,
        admin=True,
    ),
    Scan("admin-canned-replies", "admin/tickets/cannedreply/", ADMIN, "/admin/tickets/cannedreply/", admin=True),
    Scan(
        "admin-canned-replies-attendant",
        "admin/tickets/cannedreply/",
        ATENDENTE,
        "/admin/tickets/cannedreply/",
        admin=True,
    ),
    Scan(
        "admin-canned-reply-add",
        "admin/tickets/cannedreply/add/",
        ATENDENTE,
        "/admin/tickets/cannedreply/add/",
        admin=True,
    ),
    Scan(
        "admin-canned-reply-view-attendant",
        "admin/tickets/cannedreply/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/cannedreply/{canned}/change/",
        admin=True,
    ),
    Scan(
        "admin-canned-reply-change",
        "admin/tickets/cannedreply/<path:object_id>/change/",
        ADMIN,
        "/admin/tickets/cannedreply/{canned}/change/",
        admin=True,
    ),
    Scan(
        "admin-conversation-forms-open",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{answered}/change/",
        show_schedule_fields,
    ),
    Scan(
        "admin-conversation-files",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{answered}/change/",
        choose_a_file,
    ),
    Scan(
        "admin-conversation-revealed",
        "admin/tickets/ticket/<path:object_id>/change/",
        ADMIN,
        "/admin/tickets/ticket/{answered}/change/",
        reveal_identity,
        admin=True,
    ),
    Scan(
        "admin-conversation-scrolling",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{long}/change/",
        admin=True,
    ),
    Scan(
        "admin-conversation-not-taken",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{waiting}/change/",
        admin=True,
    ),
    # Issue 14, part A: a colleague's ticket (request the transfer / take over), the stale page, "Concluído" asked.
    Scan(
        "admin-conversation-held-by-colleague",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{held}/change/",
        admin=True,
    ),
    Scan(
        "admin-conversation-handoff-note",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{handed}/change/",
        admin=True,
    ),
    Scan(
        "admin-conversation-take-over",
        "admin/tickets/ticket/<path:object_id>/change/",
        ADMIN,
        "/admin/tickets/ticket/{held}/change/",
        admin=True,
    ),
    Scan(
        "admin-conversation-taken-meanwhile",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{answered}/change/",
        ticket_taken_by_a_colleague,
        admin=True,
    ),
    Scan(
        "admin-conclude-confirmation",
        "admin/tickets/ticket/<path:object_id>/change/",
        ATENDENTE,
        "/admin/tickets/ticket/{answered}/change/",
        ask_to_conclude,
        admin=True,
        templates=("admin/tickets/ticket/conclude_confirm.html",),
    ),
    Scan(
        "admin-phone-ticket",
        "admin/tickets/ticket/add/",
        ATENDENTE,
        "/admin/tickets/ticket/add/",
        admin=True,
        templates=("admin/tickets/ticket/register_phone.html",),
    ),
    Scan(
        "admin-phone-ticket-search-open",
        "admin/tickets/ticket/add/",
        ATENDENTE,
        "/admin/tickets/ticket/add/",
        open_requester_search,
        admin=True,
    ),
    Scan("admin-outbox", "admin/tickets/transcriptoutbox/", ADMIN, "/admin/tickets/transcriptoutbox/", admin=True),
    Scan(
        "admin-outbox-change",
        "admin/tickets/transcriptoutbox/<path:object_id>/change/",
        ADMIN,
        "/admin/tickets/transcriptoutbox/{outbox}/change/",
        admin=True,
    ),
    Scan("admin-capacities", "admin/routing/attendantstate/", ADMIN, "/admin/routing/attendantstate/", admin=True),
    Scan(
        "admin-capacity-change",
        "admin/routing/attendantstate/<path:object_id>/change/",
        ADMIN,
        "/admin/routing/attendantstate/{attendantstate}/change/",
        admin=True,
    ),
    Scan("admin-modules", "admin/tickets/module/", ADMIN, "/admin/tickets/module/", admin=True),
    Scan("admin-module-add", "admin/tickets/module/add/", ADMIN, "/admin/tickets/module/add/", admin=True),
    Scan(
        "admin-module-change",
        "admin/tickets/module/<path:object_id>/change/",
        ADMIN,
        "/admin/tickets/module/{module}/change/",
        admin=True,
    ),
    Scan("admin-periods", "admin/tickets/attendanceperiod/", ADMIN, "/admin/tickets/attendanceperiod/", admin=True),
    Scan(
        "admin-period-add",
        "admin/tickets/attendanceperiod/add/",
        ADMIN,
        "/admin/tickets/attendanceperiod/add/",
        admin=True,
    ),
    # Reports and the attendance calendar (issue 17).
    Scan(
        "admin-reports",
        "admin/relatorios/",
        ADMIN,
        "/admin/relatorios/",
        admin=True,
        templates=("admin/reports/report.html",),
    ),
    Scan("admin-reports-attendant", "admin/relatorios/", ATENDENTE, "/admin/relatorios/", admin=True),
    Scan(
        "admin-reports-bad-range",
        "admin/relatorios/",
        ADMIN,
        "/admin/relatorios/?inicio=2026-03-04&fim=2026-03-01",
        admin=True,
        status=400,
    ),
    Scan(
        "admin-my-day",
        "admin/relatorios/meu-dia/",
        ATENDENTE,
        "/admin/relatorios/meu-dia/",
        admin=True,
        templates=("admin/reports/my_day.html",),
    ),
    Scan(
        "admin-optional-holidays",
        "admin/attendance/optionalholiday/",
        ADMIN,
        "/admin/attendance/optionalholiday/",
        admin=True,
    ),
    Scan(
        "admin-optional-holiday-change",
        "admin/attendance/optionalholiday/<path:object_id>/change/",
        ADMIN,
        "/admin/attendance/optionalholiday/{optional}/change/",
        admin=True,
    ),
    Scan("admin-special-days", "admin/attendance/specialday/", ADMIN, "/admin/attendance/specialday/", admin=True),
    Scan(
        "admin-special-day-add",
        "admin/attendance/specialday/add/",
        ADMIN,
        "/admin/attendance/specialday/add/",
        admin=True,
    ),
    Scan(
        "admin-special-day-change",
        "admin/attendance/specialday/<path:object_id>/change/",
        ADMIN,
        "/admin/attendance/specialday/{special}/change/",
        admin=True,
    ),
    Scan("admin-entities", "admin/people/entity/", ADMIN, "/admin/people/entity/", admin=True),
    Scan("admin-entity-add", "admin/people/entity/add/", ADMIN, "/admin/people/entity/add/", admin=True),
    Scan(
        "admin-entity-change",
        "admin/people/entity/<path:object_id>/change/",
        ADMIN,
        "/admin/people/entity/{entity}/change/",
        admin=True,
    ),
    Scan("admin-people", "admin/people/person/", ADMIN, "/admin/people/person/", admin=True),
    Scan("admin-people-attendant", "admin/people/person/", ATENDENTE, "/admin/people/person/", admin=True),
    Scan("admin-person-add", "admin/people/person/add/", ADMIN, "/admin/people/person/add/", admin=True),
    Scan(
        "admin-person-change",
        "admin/people/person/<path:object_id>/change/",
        ADMIN,
        "/admin/people/person/{person}/change/",
        admin=True,
    ),
    Scan(
        "admin-person-view-attendant",
        "admin/people/person/<path:object_id>/change/",
        ATENDENTE,
        "/admin/people/person/{person}/change/",
        admin=True,
    ),
    Scan("admin-data-subjects", "admin/privacy/datasubject/", ADMIN, "/admin/privacy/datasubject/", admin=True),
    Scan(
        "admin-data-subject-anonymise-confirm",
        "admin/privacy/datasubject/",
        ADMIN,
        "/admin/privacy/datasubject/",
        ask_to_anonymise,
        admin=True,
        templates=("admin/privacy/datasubject/anonymise_confirm.html",),
    ),
    Scan("admin-access-log", "admin/privacy/accesslog/", ADMIN, "/admin/privacy/accesslog/", admin=True),
    Scan("admin-legal-hold-add", "admin/privacy/legalhold/add/", ADMIN, "/admin/privacy/legalhold/add/", admin=True),
    Scan(
        "admin-entity-retention-add",
        "admin/privacy/entityretention/add/",
        ADMIN,
        "/admin/privacy/entityretention/add/",
        admin=True,
    ),
]


def _stock_views(model: str, why: str) -> dict[str, str]:
    return {
        f"admin/{model}/<path:object_id>/history/": why,
        f"admin/{model}/<path:object_id>/delete/": why,
        f"admin/{model}/<path:object_id>/": REDIRECT,
    }


def _stock_model(model: str) -> dict[str, str]:
    return {
        f"admin/{model}/": STOCK,
        f"admin/{model}/add/": STOCK,
        f"admin/{model}/<path:object_id>/change/": STOCK,
        **_stock_views(model, STOCK),
    }


#: URL patterns that are not an HTML page of their own, or not a page the product customises.
NOT_PAGES: dict[str, str] = {
    "accounts/logout/": POST_ONLY,
    "chat/atendimentos/<int:number>/concluir/": POST_ONLY,
    "chat/avaliacao/atendimentos/<int:number>/": POST_ONLY + " (the survey under a concluded conversation)",
    "admin/relatorios/csv/<slug:table>/": NOT_HTML + " (a CSV download of a report table)",
    "admin/attendance/optionalholiday/add/": "answers 403: the optional holidays come from the holidays library",
    "anexos/<int:pk>/": NOT_HTML + " (a file download)",
    "cadastro/reenviar-confirmacao/": POST_ONLY,
    "i18n/js/": NOT_HTML + " (the JavaScript catalogue of the pages)",
    "saude/": NOT_HTML + " (JSON for the load balancer's health check)",
    "metrics": NOT_HTML + " (Prometheus text format, for the operators' scraper)",
    "i18n/setlang/": REDIRECT + " (the language switch: POST sets it, GET goes back)",
    "admin/tickets/ticket/atender-proximo/": POST_ONLY,
    "admin/tickets/ticket/console/som/": POST_ONLY + " (the console's sound switch, scanned on the queue)",
    "admin/tickets/queuesettings/<path:object_id>/change/": "the same form as its add page (one row, none in the scan)",
    "admin/tickets/ticket/<int:number>/assumir/": POST_ONLY,
    "admin/tickets/ticket/<int:number>/transferir/": POST_ONLY,
    "admin/tickets/ticket/<int:number>/assumir-de-colega/": POST_ONLY,
    "admin/tickets/ticket/<int:number>/solicitar-transferencia/": POST_ONLY,
    "admin/tickets/ticket/<int:number>/situacao/": POST_ONLY,
    "admin/tickets/ticket/<int:number>/nota/": POST_ONLY + " (the internal note's form, scanned with its error)",
    "chat/meus-dados/aviso-email/": POST_ONLY,
    "admin/routing/attendantstate/painel/": "a fragment fetched into every attendant's admin page (scanned there)",
    "admin/routing/attendantstate/disponibilidade/": POST_ONLY,
    "admin/routing/attendantstate/ofertas/<int:offer_id>/aceitar/": POST_ONLY,
    "admin/routing/attendantstate/add/": "capacities are made by the service on first use; adding is the stock form",
    "admin/tickets/ticket/<path:object_id>/delete/": "answers 403: nobody deletes a ticket",
    "admin/tickets/transcriptoutbox/add/": "answers 403: outbox rows are written by the conclusion only",
    "admin/tickets/attendanceperiod/<path:object_id>/change/": NO_ROW,
    "admin/logout/": POST_ONLY,
    "admin/autocomplete/": NOT_HTML + " (JSON of the requester search, scanned open as 'admin-phone-ticket-search')",
    "admin/jsi18n/": NOT_HTML + " (JavaScript catalogue)",
    "admin/r/<path:content_type_id>/<path:object_id>/": REDIRECT,
    "admin/password_change/": STOCK,
    "admin/password_change/done/": STOCK,
    "admin/auth/user/<id>/password/": STOCK,
    r"admin/^(?P<app_label>axes|people|auth|tickets|routing|attendance|privacy)/$": STOCK + " (an app's index)",
    "admin/(?P<url>.*)$": "the admin's catch-all: a redirect to the login or a 404",
    **_stock_model("auth/group"),
    **_stock_model("auth/user"),
    **_stock_model("axes/accessattempt"),
    **_stock_model("axes/accesslog"),
    **_stock_model("axes/accessfailurelog"),
    **_stock_views("tickets/ticket", STOCK_VIEW),
    **_stock_views("tickets/module", STOCK_VIEW),
    **_stock_views("tickets/attendanceperiod", STOCK_VIEW),
    **_stock_views("tickets/transcriptoutbox", STOCK_VIEW),
    **_stock_views("tickets/cannedreply", STOCK_VIEW),
    **_stock_views("tickets/queuesettings", STOCK_VIEW),
    **_stock_views("people/entity", STOCK_VIEW),
    **_stock_views("people/person", STOCK_VIEW),
    **_stock_views("routing/attendantstate", STOCK_VIEW),
    **_stock_views("attendance/optionalholiday", STOCK_VIEW),
    **_stock_views("attendance/specialday", STOCK_VIEW),
    "privacidade/meus-dados.json": NOT_HTML + " (the JSON download of 'Meus Dados')",
    "privacidade/atendimentos/<int:number>/mostrar/": POST_ONLY
    + " (its answer is scanned in place: admin-conversation-revealed)",
    "admin/privacy/accesslog/add/": "answers 403: the access log is written by the services only",
    "admin/privacy/accesslog/<path:object_id>/change/": STOCK + " (read-only view of one entry)",
    "admin/privacy/datasubject/add/": "answers 403: people are registered under Pessoas",
    "admin/privacy/datasubject/<path:object_id>/change/": STOCK + " (read-only view, CPF masked)",
    "admin/privacy/legalhold/": STOCK,
    "admin/privacy/legalhold/<path:object_id>/change/": STOCK + " (the same form as its add page)",
    "admin/privacy/entityretention/": STOCK,
    "admin/privacy/entityretention/<path:object_id>/change/": STOCK + " (the same form as its add page)",
    **_stock_views("privacy/accesslog", STOCK_VIEW),
    **_stock_views("privacy/datasubject", STOCK_VIEW),
    **_stock_views("privacy/legalhold", STOCK_VIEW),
    **_stock_views("privacy/entityretention", STOCK_VIEW),
}


def admin_templates() -> list[str]:
    """The product's admin templates (templates/admin/**), as template names."""
    base = ROOT / "templates"
    return sorted(str(path.relative_to(base)) for path in (base / "admin").rglob("*.html"))


def uncovered(routes: Iterable[str], scans: Iterable[Scan], not_pages: dict[str, str]) -> list[str]:
    """URL patterns with neither a scan nor a reason: a new page would otherwise go unscanned."""
    scans = list(scans)
    known = {scan.route for scan in scans} | set(not_pages)
    return [route for route in routes if route not in known]


def unscanned_templates(templates: Iterable[str], scans: Iterable[Scan]) -> list[str]:
    claimed = {name for scan in scans for name in scan.templates}
    return [name for name in templates if name not in claimed]


def stale(routes: Iterable[str], scans: Iterable[Scan], not_pages: dict[str, str]) -> list[str]:
    """Scans and reasons for routes that no longer exist (a renamed URL would otherwise pass unnoticed)."""
    present = set(routes)
    listed = [scan.route for scan in scans] + list(not_pages)
    return sorted({route for route in listed if route not in present})


# --- running a scan ---------------------------------------------------------------------------------

#: The sockets the page opens (realtime.js): body[data-person] opens the toolbar's, [data-ws] the others.
EXPECTED_SOCKETS = """() => {
    const paths = Array.from(document.querySelectorAll('[data-ws]'), (el) => el.dataset.ws);
    if (document.body && document.body.dataset.person) paths.push('/ws/toolbar/');
    return paths;
}"""


class Sockets:
    """The frames each websocket of a page received, to wait until every one has caught up."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.frames: dict[str, list[str]] = {}
        # Sockets the server closed: settled too (e.g. refused with 4403 to a person the contact gate stops).
        self.closed: set[str] = set()
        page.on("websocket", self._on_socket)

    def _on_socket(self, socket) -> None:
        path = urlparse(socket.url).path
        frames = self.frames.setdefault(path, [])

        def on_frame(payload) -> None:
            try:
                frames.append(json.loads(payload).get("type", ""))
            except (TypeError, ValueError, AttributeError):
                frames.append("")

        socket.on("framereceived", on_frame)
        socket.on("close", lambda _socket: self.closed.add(path))

    def wait_caught_up(self, paths: list[str], timeout: float = 20.0) -> None:
        """The server says "resumed" once it replayed what the page missed: the page is live and current."""
        deadline = time.monotonic() + timeout
        while not all("resumed" in self.frames.get(path, []) or path in self.closed for path in paths):
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.page.url}: sockets not caught up: {paths} (frames {self.frames})")
            self.page.wait_for_timeout(20)  # lets Playwright deliver the frames to the listener above


# Counts the changes to the page's elements while axe runs: a live update in the middle makes it scan again.
WATCH = """() => {
    window.__axeMutations = 0;
    if (window.__axeObserver) window.__axeObserver.disconnect();
    window.__axeObserver = new MutationObserver((records) => { window.__axeMutations += records.length; });
    window.__axeObserver.observe(document.body, { childList: true, subtree: true });
}"""


def wait_ready(page: Page, sockets: Sockets) -> None:
    """The page's own ready state: loaded, its sockets caught up, the network quiet."""
    page.wait_for_load_state("load")
    page.wait_for_function("document.readyState === 'complete'")
    sockets.wait_caught_up(page.evaluate(EXPECTED_SOCKETS))
    page.wait_for_load_state("networkidle")


def run_axe(page: Page, tries: int = 5) -> dict:
    """axe-core on the page as it is; again if the page changed under it (a live swap of the queue)."""
    axe = Axe()
    for _ in range(tries):
        page.evaluate(WATCH)
        results = axe.run(page, options=AXE_OPTIONS).response
        if page.evaluate("window.__axeMutations") == 0:
            return results
        page.wait_for_load_state("networkidle")
    raise AssertionError(f"{page.url}: the page kept changing while axe-core ran")


def report(violations: list[dict], scan_id: str, url: str) -> str:
    """One line per element: the rule, its impact, the element's selector and what axe says is wrong."""
    lines = [f"{len(violations)} axe-core rule(s) broken on {scan_id} ({url}):"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return "\n".join(lines)
