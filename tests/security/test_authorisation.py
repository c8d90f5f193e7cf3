"""The authorisation battery: every URL pattern and every websocket route, asked by everyone (B5).

Threat: a route that lets somebody read or change what is not theirs: a colleague of the same
municipality, a staff member of another municipality, an admin user outside the attendants' group,
or an anonymous visitor, on tickets, messages, attachments and person data.

The tables below give, for each route pattern, the answer each role must get, in the order of
``ROLES`` (anonymous, owner, colleague, foreign, attendant, staff). "Not yours" is the same 404 as
"does not exist". Every page a role may open but that is not the owner's must carry none of the
owner's secrets. A pattern or websocket route with no entry fails the battery.
"""

import re
from dataclasses import dataclass

import pytest
from asgiref.sync import async_to_sync
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import URLResolver, include, path, re_path
from django.urls.resolvers import RoutePattern

from tests.realtime.conftest import communicator, next_output, session_cookie
from tickets.models import Ticket

from .conftest import ROLES, World
from .routes import http_routes, stale, uncovered, websocket_routes

LOGIN = (302, "/accounts/login/")
ADMIN_LOGIN = (302, "/admin/login/")
NOT_STAFF = (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN)


@dataclass(frozen=True)
class Entry:
    """The answers to GET (and to POST, for routes that take one), one per role in ROLES order."""

    get: tuple
    post: tuple | None = None
    url: str | None = None  # a concrete URL, for regex patterns
    data: dict | None = None  # what the POST sends


def every(answer) -> tuple:
    return (answer,) * len(ROLES)


def staff_pages(owner_only: bool) -> tuple:
    """The staff chat pages: anyone with a person in a chat entity; a ticket's pages only its requester."""
    if owner_only:
        return (LOGIN, 200, 404, 404, 404, 404)
    return (LOGIN, 200, 200, 200, 404, 404)


def admin(attendant, staff) -> tuple:
    return (*NOT_STAFF, attendant, staff)


HTTP_TABLE: dict[str, Entry] = {
    "": Entry(get=(LOGIN, 200, 200, 200, 200, 200)),
    "accounts/login/": Entry(get=every(200)),
    "accounts/logout/": Entry(get=every(405), post=every(LOGIN)),
    "cadastro/": Entry(get=(LOGIN, 200, 200, 200, 404, 404), post=(LOGIN, 400, 400, 400, 404, 404)),
    # POST only; the person's own unconfirmed address (any other id: a message, nothing sent).
    "cadastro/reenviar-confirmacao/": Entry(
        get=every(405), post=(LOGIN, 302, 302, 302, 404, 404), data={"contact": "1"}
    ),
    # The verification link works without a login (it is the mailbox that is proved); a bad token is 400.
    "cadastro/confirmar-email/<str:token>/": Entry(
        get=every(400), post=every(405), url="/cadastro/confirmar-email/invalido:1abc:xyz/"
    ),
    "chat/": Entry(get=staff_pages(False)),
    "chat/painel/": Entry(get=staff_pages(False)),
    "chat/atendimento-on-line/": Entry(get=staff_pages(False)),
    "chat/novo/": Entry(
        get=staff_pages(False),
        post=(LOGIN, 302, 302, 302, 404, 404),
        data={"module": "{module}", "reason": "Preciso de ajuda"},
    ),
    "chat/meus-dados/": Entry(get=staff_pages(False)),
    # The e-mail notice switch (routing): POST only, the person's own preference.
    "chat/meus-dados/aviso-email/": Entry(
        get=every(405), post=(LOGIN, 302, 302, 302, 404, 404), data={"reply_email": "0"}
    ),
    "chat/atendimentos/<int:number>/": Entry(
        get=staff_pages(True), post=(LOGIN, 302, 404, 404, 404, 404), data={"body": "Uma resposta"}
    ),
    "chat/atendimentos/<int:number>/informacoes/": Entry(get=staff_pages(True)),
    # require_POST comes first: a GET is 405 before anything is looked up, for everyone.
    "chat/atendimentos/<int:number>/concluir/": Entry(get=every(405), post=(LOGIN, 302, 404, 404, 404, 404)),
    # The satisfaction survey (issue 17): the chat window's form, the requester's own ticket only (POST only) ...
    "chat/avaliacao/atendimentos/<int:number>/": Entry(
        get=every(405), post=(LOGIN, 302, 404, 404, 404, 404), data={"score": "5"}
    ),
    # ... and the e-mail's signed link, without a login: a bad link is a 400 page for everyone.
    "chat/avaliacao/<str:token>/": Entry(
        get=every(400), post=every(400), url="/chat/avaliacao/invalido:1abc:xyz/", data={"score": "5"}
    ),
    # No login redirect for files: anonymous gets the same 404 (it would confirm the file exists).
    "anexos/<int:pk>/": Entry(get=(404, 200, 404, 404, 200, 404), post=every(405)),
    "i18n/setlang/": Entry(get=every(302), post=every(302), data={"language": "en"}),
    # The JavaScript catalogue: public, like the static files.
    "i18n/js/": Entry(get=every(200)),
    # Privacy (issue 19): the notice is public; each person downloads only their own data (people only);
    # "Mostrar" is POST only, for attendants with privacy.view_full_cpf (nobody here has it: 403).
    "privacidade/aviso/": Entry(get=every(200), post=every(405)),
    "privacidade/meus-dados/": Entry(get=(LOGIN, 200, 200, 200, 404, 404), post=every(405)),
    "privacidade/meus-dados.json": Entry(get=(LOGIN, 200, 200, 200, 404, 404), post=every(405)),
    "privacidade/atendimentos/<int:number>/mostrar/": Entry(get=every(405), post=admin(403, 403)),
    # The load balancer's health check: anonymous, tells only which part is down.
    "saude/": Entry(get=every(200), post=every(405)),
    # Prometheus: superusers or the bearer token only (none of these roles).
    "metrics": Entry(get=every(403), post=every(405)),
    # --- the admin: staff only; tickets, people and files only for attendants (and superusers) ---
    "admin/": Entry(get=admin(200, 200)),
    "admin/login/": Entry(get=(200, 200, 200, 200, (302, "/admin/"), (302, "/admin/"))),
    "admin/logout/": Entry(get=((302, "/admin/"), *((302, "/admin/"),) * 3, 405, 405)),
    "admin/password_change/": Entry(get=admin(200, 200)),
    "admin/password_change/done/": Entry(get=admin(200, 200)),
    # The phone form's requester look-up: attendants search people; other staff may not.
    "admin/autocomplete/": Entry(
        get=admin(200, 403), url="/admin/autocomplete/?app_label=tickets&model_name=ticket&field_name=requester"
    ),
    "admin/jsi18n/": Entry(get=admin(200, 200)),
    # "View on site": no model has a public page.
    "admin/r/<path:content_type_id>/<path:object_id>/": Entry(get=admin(404, 404)),
    "admin/^(?P<app_label>axes|people|auth|tickets|routing|attendance|privacy)/$": Entry(
        get=admin(200, 404), url="/admin/tickets/"
    ),
    "admin/(?P<url>.*)$": Entry(get=admin(404, 404), url="/admin/nao-existe/"),
    "admin/auth/user/<id>/password/": Entry(get=admin(403, 403)),
    # The queue's own actions: POST only, attendants only.
    "admin/tickets/ticket/atender-proximo/": Entry(get=admin(405, 405), post=admin(302, 403)),
    "admin/tickets/ticket/<int:number>/assumir/": Entry(get=admin(405, 405), post=admin(302, 403)),
    # A transfer without its form (nobody chosen, no note) is bad input: the conversation again, 400.
    "admin/tickets/ticket/<int:number>/transferir/": Entry(get=admin(405, 405), post=admin(400, 403)),
    # Issue 14: taking over a ticket nobody else holds is refused (400); requesting its transfer too.
    "admin/tickets/ticket/<int:number>/assumir-de-colega/": Entry(get=admin(405, 405), post=admin(400, 403)),
    "admin/tickets/ticket/<int:number>/solicitar-transferencia/": Entry(get=admin(405, 405), post=admin(400, 403)),
    # An internal note (issue 14): the attendant who may reply (the world's ticket is nobody's yet).
    "admin/tickets/ticket/<int:number>/nota/": Entry(
        get=admin(405, 405), post=admin(302, 403), data={"note": "Nota interna de teste."}
    ),
    # The console's sound switch (issue 14): the attendant's own preference, POST only.
    "admin/tickets/ticket/console/som/": Entry(get=admin(405, 405), post=admin(302, 403), data={"sound": "on"}),
    "admin/tickets/ticket/<int:number>/situacao/": Entry(
        get=admin(405, 405), post=admin(302, 403), data={"status": "em_atendimento"}
    ),
    # Routing: the attendant's bar, availability and offers (an offer that is not theirs: a message, nothing taken).
    "admin/routing/attendantstate/painel/": Entry(get=admin(200, 403), post=admin(405, 405)),
    "admin/routing/attendantstate/disponibilidade/": Entry(
        get=admin(405, 405), post=admin(302, 403), data={"available": "0"}
    ),
    "admin/routing/attendantstate/ofertas/<int:offer_id>/aceitar/": Entry(
        get=admin(405, 405), post=admin(302, 403), url="/admin/routing/attendantstate/ofertas/1/aceitar/"
    ),
    # Reports (issue 17): managers see everyone's figures, attendants only their own; other staff nothing.
    "admin/relatorios/": Entry(get=admin(200, 403), post=admin(405, 405)),
    "admin/relatorios/csv/<slug:table>/": Entry(get=admin(200, 403), url="/admin/relatorios/csv/por-dia/"),
    "admin/relatorios/meu-dia/": Entry(get=admin(200, 403)),
}

#: What the "Atendentes" group may do with each model in the admin (tickets/permissions.py);
#: staff outside the group may do nothing. A model registered in the admin without a line here
#: leaves its URLs without an entry, and the battery fails.
ADMIN_MODELS: dict[str, set[str]] = {
    "auth/group": set(),
    "auth/user": set(),
    "axes/accessattempt": set(),
    "axes/accesslog": set(),
    "axes/accessfailurelog": set(),
    "people/entity": {"view"},
    "people/person": {"view"},
    "tickets/transcriptoutbox": {"view", "change"},
    "tickets/module": {"view"},
    "tickets/attendanceperiod": set(),
    # The queue's wait levels (issue 14): administrators only.
    "tickets/queuesettings": set(),
    # Canned replies (issue 14): attendants read the shared ones (the world's is shared) and add their own;
    # a shared one is changed or deleted by administrators only (their own replies: tests/console).
    "tickets/cannedreply": {"view", "add"},
    # The calendar (issue 17) is the administrators' only.
    "attendance/optionalholiday": set(),
    "attendance/specialday": set(),
    # Delete is off for everyone: a ticket is the record of what was said.
    "tickets/ticket": {"view", "change", "add"},
    # Capacities are set by IPM administrators (superusers) only.
    "routing/attendantstate": set(),
    # Privacy: IPM administrators only (their own permissions); attendants and other staff see nothing.
    "privacy/accesslog": set(),
    "privacy/legalhold": set(),
    "privacy/entityretention": set(),
    "privacy/datasubject": set(),
}


def _admin_model_entries(model: str, perms: set[str]) -> dict[str, Entry]:
    def may(*needed: str) -> int:
        return 200 if perms & set(needed) else 403

    base = f"admin/{model}/"
    # Changing needs "change"; a user who may only view gets the read-only page and a 403 on POST.
    change_post = 302 if "change" in perms else 403
    return {
        base: Entry(get=admin(may("view", "change"), 403)),
        f"{base}add/": Entry(get=admin(may("add"), 403)),
        f"{base}<path:object_id>/history/": Entry(get=admin(may("view", "change"), 403)),
        f"{base}<path:object_id>/delete/": Entry(get=admin(may("delete"), 403), post=admin(may("delete"), 403)),
        f"{base}<path:object_id>/change/": Entry(
            get=admin(may("view", "change"), 403), post=admin(change_post, 403), data={"body": "Resposta"}
        ),
        # The old-style object URL only redirects to the change page (which then checks).
        f"{base}<path:object_id>/": Entry(get=admin(302, 302)),
    }


for _model, _perms in ADMIN_MODELS.items():
    HTTP_TABLE.update(_admin_model_entries(_model, _perms))

WS_TABLE: dict[str, tuple] = {
    # "open" = accepted and greeted; 4403 = accepted then closed with nothing sent (see consumers.py).
    "ws/toolbar/": (4403, "open", "open", "open", 4403, 4403),
    "ws/tickets/<int:number>/": (4403, "open", 4403, 4403, "open", 4403),
    "ws/queue/": (4403, 4403, 4403, 4403, "open", 4403),
    "ws/espera/": (4403, "open", "open", "open", 4403, 4403),
    "ws/roteamento/": (4403, 4403, 4403, 4403, "open", 4403),
}


# --- the coverage check itself ------------------------------------------------------------------


def test_every_url_pattern_and_websocket_route_has_an_entry():
    """Threat: a new route ships without anybody deciding who may use it."""
    assert uncovered(http_routes(), HTTP_TABLE) == []
    assert uncovered(websocket_routes(), WS_TABLE) == []
    assert stale(http_routes(), HTTP_TABLE) == []
    assert stale(websocket_routes(), WS_TABLE) == []


def _noop(request):
    raise AssertionError("never called")


def test_the_coverage_helper_reports_a_route_missing_from_the_table():
    """The check above can fail: a nested, an admin-like and a regex route unknown to the table are reported."""
    inner = [path("segredo/<int:pk>/", _noop), re_path(r"^(?P<x>\d+)/$", _noop)]
    resolver = URLResolver(RoutePattern(""), [path("livre/", _noop), path("admin/", include(inner))])
    routes = http_routes(resolver)
    assert routes == ["livre/", "admin/segredo/<int:pk>/", r"admin/^(?P<x>\d+)/$"]
    assert uncovered(routes, {"livre/": Entry(get=())}) == ["admin/segredo/<int:pk>/", r"admin/^(?P<x>\d+)/$"]
    assert uncovered(routes, dict.fromkeys(routes)) == []
    assert stale(routes, {"livre/": None, "sumiu/": None}) == ["sumiu/"]
    assert uncovered(websocket_routes([path("ws/nova/", _noop)]), WS_TABLE) == ["ws/nova/"]


# --- the battery --------------------------------------------------------------------------------


def _concrete_url(route: str, entry: Entry, world: World) -> str:
    if entry.url:
        return entry.url
    if route.startswith("admin/r/"):
        return f"/admin/r/{ContentType.objects.get_for_model(Ticket).pk}/{world.ticket.pk}/"
    values = {"number": world.ticket.pk, "pk": world.attachment_id, "id": world.owner.user.pk}
    model = re.match(r"admin/(\w+/\w+)/<path:object_id>/", route)
    if model:
        values["object_id"] = world.objects[model.group(1)]
    url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
    assert "<" not in url and "^" not in url, f"no concrete URL for {route}: give the entry a url="
    return url


def _matches(response, expected) -> bool:
    if isinstance(expected, tuple):
        status, location = expected
        return response.status_code == status and response.get("Location", "").startswith(location)
    return response.status_code == expected


def _ask(world: World, role: str, method: str, url: str, data: dict | None):
    """One request, rolled back afterwards: every role meets the same world, whatever the one before did."""
    client = world.client(role)
    with transaction.atomic():
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, data or {})
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("route", sorted(HTTP_TABLE))
def test_every_route_answers_each_role_as_intended(route, world, module):
    """Threat: anybody other than the owner (or an attendant) reads or changes a ticket, a message, a
    file or person data through any URL; "not yours" must look exactly like "does not exist"."""
    if route not in http_routes():
        pytest.fail(f"{route} is in the table but no longer a URL pattern")
    entry = HTTP_TABLE[route]
    url = _concrete_url(route, entry, world)
    data = {k: v.format(module=module.pk) for k, v in (entry.data or {}).items()}
    secrets = world.secrets()
    wrong = []
    for method, answers in (("get", entry.get), ("post", entry.post)):
        if answers is None:
            continue
        assert len(answers) == len(ROLES), route
        for role, expected in zip(ROLES, answers, strict=True):
            response = _ask(world, role, method, url, data)
            if not _matches(response, expected):
                wrong.append(
                    f"{method.upper()} {url} as {role}: {response.status_code} "
                    f"{response.get('Location', '')} (expected {expected})"
                )
            elif role not in ("owner", "attendant") and response.status_code == 200:
                body = b"".join(response) if response.streaming else response.content
                leaked = [s for s in secrets if s.encode() in body]
                if leaked:
                    wrong.append(f"{method.upper()} {url} as {role} shows {leaked}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", sorted(WS_TABLE))
def test_every_websocket_route_lets_in_exactly_who_the_table_says(route, world):
    """Threat: a socket that streams somebody else's conversation, badge or the whole queue."""
    assert route in websocket_routes(), f"{route} is in the table but no longer a websocket route"
    url = "/" + route.replace("<int:number>", str(world.ticket.pk))
    cookies = {role: None if world.user(role) is None else session_cookie(world.user(role)) for role in ROLES}
    wrong = []

    async def scenario():
        for role, expected in zip(ROLES, WS_TABLE[route], strict=True):
            socket = communicator(url, cookies[role])
            connected, _ = await socket.connect()
            first = await next_output(socket)
            got = "open" if first.get("type") == "hello" else first.get("code")
            await socket.disconnect()
            if not connected or got != expected:
                wrong.append(f"{url} as {role}: {first} (expected {expected})")

    async_to_sync(scenario)()
    assert not wrong, "\n".join(wrong)
