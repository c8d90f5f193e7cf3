"""Each language whole on every page (issue 18, SPEC B8/B16).

- In English, no Portuguese is left on any staff page, the customised admin pages or the admin's
  model pages: a text nobody marked for translation (or a translation forgotten) fails here.
- In pt-BR (the default), the admin pages carry no English from Django or the apps it uses.
- The browser's language serves a first visit; a language chosen with the switch is kept on the account.
"""

import json
import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from people.middleware import SESSION_LANGUAGE_KEY
from people.models import Entity, UserPreference
from tests.factories import AttendantFactory, EntityFactory, ModuleFactory, PersonFactory
from tickets import services
from tickets.models import AttendancePeriod, Status

from .visible import visible_text, words_found

#: Portuguese that an English page must not show (whole words, any case), besides any accented letter.
PORTUGUESE = [
    "atendimento",
    "atendimentos",
    "atendente",
    "situacao",
    "modulo",
    "sair",
    "pesquisa",
    "enviar",
    "enviado",
    "meus",
    "novo",
    "nova",
    "aberto",
    "abrir",
    "mensagem",
    "mensagens",
    "aguarde",
    "aguardando",
    "concluir",
    "voltar",
    "salvar",
    "cadastro",
    "arquivo",
    "arquivos",
    "clique",
    "detalhes",
    "erro",
    "fila",
    "assumir",
    "transferir",
    "registrar",
    "espera",
    "canal",
    "entidade",
    "solicitante",
    "contato",
    "contatos",
    "idioma",
    "atualizar",
    "fechar",
    "seu",
    "seus",
    "sua",
    "para",
    "sem",
    "uma",
    "de",
    "da",
    "dos",
    "das",
    "ou",
    "ao",
    "telefone",
    "nome",
    "alterar",
    "selecione",
    "todos",
    "hoje",
    "usuario",
    "senha",
    "pessoa",
    "pessoas",
    "entrar",
    "dados",
    "diz",
    "aqui",
    "agendado",
    "cancelado",
    "finalizados",
    "pendente",
    "falhou",
    "tentativas",
    "anexos",
    "motivo",
    "digite",
    "nenhum",
    "nenhuma",
    "horario",
    "inicio",
    "fim",
    "sistema",
    "tipo",
]
ACCENTED = re.compile(r"[À-ÖØ-öø-ÿ]")
#: English that a pt-BR admin page must not show (whole words, case as Django writes them).
ENGLISH = [
    "Select",
    "Note",
    "Note:",
    "Save",
    "Delete",
    "Add",
    "Change",
    "History",
    "Search",
    "Filter",
    "Action",
    "Actions",
    "Go",
    "Log out",
    "Logout",
    "View site",
    "Home",
    "Show",
    "Hide",
    "Today",
    "Now",
    "Yes",
    "No",
    "Unknown",
    "All",
    "the",
    "and",
    "of",
    "to",
    "with",
    "by",
    "selected",
    "Password",
    "Username",
    "Remove",
    "Clear",
    "Choose",
    "Close",
    "Welcome",
    "Recent actions",
    "My actions",
    "None available",
    "results",
    "Toggle",
    "theme",
    "Skip",
    "an option",
    "server",
    "Date",
    "Time",
    "User",
    "Users",
    "Groups",
    "Permissions",
    "Sites",
    "Authentication",
    "Form Data",
    "Meta Data",
    "IP Address",
    "Path",
    "Attempt Time",
    "access attempts",
    "access logs",
]


def js_catalogue(response) -> tuple[dict, dict]:
    """The translations and formats a JavaScript catalogue script carries."""
    script = response.content.decode()
    catalogue = re.search(r"const newcatalog = (\{.*?\});\n", script, re.S).group(1)
    formats = re.search(r"django\.formats = (\{.*?\});\n", script, re.S).group(1)
    return json.loads(catalogue), json.loads(formats)


def portuguese_in(text: str) -> list[str]:
    plain = text.translate(str.maketrans("çãõáéíóúâêô", "caoaeiouaeo"))
    return words_found(plain, PORTUGUESE, case_sensitive=False) + ACCENTED.findall(text)


def png(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000"
            "000301010018dd8db00000000049454e44ae426082"
        ),
        content_type="image/png",
    )


@pytest.fixture
def world(db, settings, tmp_path):
    """Names and texts without Portuguese, so that whatever Portuguese a page shows is the product's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    entity = EntityFactory(name="Springfield City Hall")
    person = PersonFactory(entity=entity, name="JOHN SMITH", document="")
    module = ModuleFactory(name="Web Invoices")
    attendant = AttendantFactory(username="ana", first_name="Ana Paula", last_name="Schmitt")
    superuser = get_user_model().objects.create_superuser("boss", password="boss-password-1")
    AttendancePeriod.objects.create(weekday=0, starts_at="08:00", ends_at="18:00")

    def opened(reason: str, **kwargs):
        return services.ticket_open(requester=person, user=person.user, module_id=module.pk, reason=reason, **kwargs)

    waiting = opened("The invoice will not print.", files=[png("screen.png")])
    answered = opened("The report is empty.")
    services.ticket_take(ticket=answered, attendant=attendant)
    services.ticket_message_create(ticket=answered, user=attendant, body="Manual: m.png", files=[png("m.png")])
    concluded = opened("Please cancel invoice 42.")
    services.ticket_take(ticket=concluded, attendant=attendant)
    services.ticket_message_create(ticket=concluded, user=attendant, body="Done.")
    services.ticket_conclude_by_requester(ticket=concluded, user=person.user)
    phone = services.ticket_open(requester=person, user=attendant, module_id=module.pk, reason="Called.")
    return {
        "entity": entity,
        "person": person,
        "module": module,
        "attendant": attendant,
        "superuser": superuser,
        "tickets": [waiting, answered, concluded, phone],
        "contactless": PersonFactory(entity=entity, name="MARY JONES", document="", contacts=False),
    }


def client_for(user, language: str | None) -> Client:
    """A browser of `user`: with a language chosen on the switch, or none (the account's or the default)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if language:
        response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
        assert response.status_code == 302
    return client


def staff_urls(world) -> list[str]:
    waiting, answered, concluded, _ = world["tickets"]
    urls = ["/", "/cadastro/", "/chat/", "/chat/painel/", "/chat/atendimento-on-line/", "/chat/novo/"]
    urls += ["/chat/meus-dados/", "/pagina-que-nao-existe/"]
    for ticket in (waiting, answered, concluded):
        urls += [f"/chat/atendimentos/{ticket.number}/", f"/chat/atendimentos/{ticket.number}/informacoes/"]
    return urls


def admin_urls(world) -> list[str]:
    """Every page of every model in the admin (list, add, change, history, delete), the queue's own pages."""
    urls = ["/admin/", "/admin/password_change/", "/admin/tickets/", "/admin/people/", "/admin/axes/"]
    urls += ["/admin/tickets/ticket/?situacao=todos", "/admin/tickets/ticket/?atendente=meus"]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            for view in ("change", "history", "delete"):
                try:
                    urls.append(reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[first.pk]))
                except NoReverseMatch:
                    pass
    return urls


def pages(client: Client, urls: list[str]) -> dict[str, str]:
    shown = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        if response.status_code == 200 or url == "/pagina-que-nao-existe/":
            shown[url] = visible_text(response.content.decode())
    return shown


def test_the_staff_pages_in_english_show_no_portuguese(world):
    client = client_for(world["person"].user, "en")
    shown = pages(client, staff_urls(world))
    assert len(shown) == len(staff_urls(world))
    # What the checks below rely on: these really are the English pages, with the fixed lines translated.
    assert "ON-LINE SUPPORT" in shown["/chat/painel/"]
    waiting, answered, concluded, _ = world["tickets"]
    assert "The user added attachments to the ticket." in shown[f"/chat/atendimentos/{waiting.number}/"]
    # The world's only period is on Mondays: most days the waiting ticket is off-line, which never says "wait".
    waiting_page = shown[f"/chat/atendimentos/{waiting.number}/"]
    if waiting.status == Status.OFFLINE:
        assert "answered in the next support period" in waiting_page and "Please wait!" not in waiting_page
    else:
        assert "Please wait! You will be attended shortly!" in waiting_page
    # The timeline's system lines are shown in the reader's language.
    assert "Ticket taken by Ana Paula Schmitt" in shown[f"/chat/atendimentos/{answered.number}/"]
    assert "Manual: m.png" in shown[f"/chat/atendimentos/{answered.number}/"]
    assert "The attendant sent a file" in shown[f"/chat/atendimentos/{answered.number}/"]
    assert "* Chat Concluded by the User!" in shown[f"/chat/atendimentos/{concluded.number}/"]
    assert re.search(
        r"Ana Paula Schmitt says \(\d\d/\d\d/\d{4} \d{1,2}:\d\d [AP]M\):",
        shown[f"/chat/atendimentos/{answered.number}/"],
    )
    left = {url: portuguese_in(text) for url, text in shown.items() if portuguese_in(text)}
    assert not left


def test_the_contact_gate_and_the_login_page_in_english_show_no_portuguese(world):
    gate = client_for(world["contactless"].user, "en").get("/chat/")
    assert gate.status_code == 403
    login = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/accounts/login/")
    for response in (gate, login):
        text = visible_text(response.content.decode())
        assert portuguese_in(text) == [], text
    assert "Error (EST-000206)" in visible_text(gate.content.decode())


def test_the_admin_in_english_shows_no_portuguese(world):
    client = client_for(world["superuser"], "en")
    urls = admin_urls(world) + [f"/admin/tickets/ticket/{ticket.number}/change/" for ticket in world["tickets"]]
    shown = pages(client, urls)
    assert "Support queue" in shown["/admin/tickets/ticket/?situacao=todos"]
    data = ("Springfield City Hall", "JOHN SMITH", "MARY JONES", "Web Invoices")
    left = {}
    for url, text in shown.items():
        for name in data:
            text = text.replace(name, "")
        if portuguese_in(text):
            left[url] = portuguese_in(text)
    assert not left


def test_the_admin_in_portuguese_shows_no_english(world):
    client = client_for(world["superuser"], None)
    urls = admin_urls(world) + [f"/admin/tickets/ticket/{ticket.number}/change/" for ticket in world["tickets"]]
    shown = pages(client, urls)
    shown["/admin/login/"] = visible_text(Client().get("/admin/login/").content.decode())
    assert "Fila de atendimento" in shown["/admin/tickets/ticket/?situacao=todos"]
    data = ("Springfield City Hall", "JOHN SMITH", "MARY JONES", "Web Invoices", "screen.png", "m.png")
    left = {}
    for url, text in shown.items():
        for name in data:
            text = text.replace(name, "")
        found = words_found(text, ENGLISH)
        if found:
            left[url] = found
    assert not left


def test_the_admin_javascript_texts_are_in_portuguese(world):
    """The calendar, the clock and the time-zone note are drawn by the admin's JavaScript from its catalogue."""
    client = client_for(world["superuser"], None)
    catalogue, _formats = js_catalogue(client.get("/admin/jsi18n/"))
    behind = "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour behind.)"
    assert catalogue[behind][1] == (
        "Observação: informe os horários no fuso horário %(timezone)s. (Seu relógio está %(offset)s horas atrasado.)"
    )
    assert catalogue["server"] == "servidor"
    assert catalogue["Today (%(date)s)"] == "Hoje (%(date)s)"


def test_list_editable_and_add_messages_agree_with_any_model_name(world):
    """Django's pt-BR said "1 entidade modificado com sucesso": a masculine adjective on a feminine noun."""
    client = client_for(world["superuser"], None)
    entity = world["entity"]
    changed = client.post(
        "/admin/people/entity/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(entity.pk),
            "form-0-online_chat_enabled": "",
            "_save": "Salvar",
        },
        follow=True,
    )
    assert "Alteração salva com sucesso: 1 entidade." in visible_text(changed.content.decode())
    added = client.post("/admin/tickets/module/add/", {"name": "Folha", "active": "on", "_save": "Salvar"}, follow=True)
    assert re.search(r"Registro de módulo “\s*Folha\s*” adicionado com sucesso\.", visible_text(added.content.decode()))
    assert Entity.objects.get(pk=entity.pk).online_chat_enabled is False


def test_a_first_visit_follows_the_browser_and_the_default_is_portuguese(db):
    english = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/accounts/login/").content.decode()
    portuguese = Client(HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9").get("/accounts/login/").content.decode()
    nothing = Client().get("/accounts/login/").content.decode()
    assert '<html lang="en">' in english and ">Log in</button>" in english
    for page in (portuguese, nothing):
        assert '<html lang="pt-BR">' in page and ">Entrar</button>" in page


def test_the_language_chosen_is_kept_on_the_account_and_wins_over_the_browser(world):
    user = world["person"].user
    client_for(user, "en")
    assert UserPreference.objects.get(user=user).language == "en"

    # Another browser, in Portuguese, logs in with the password: the account's English wins.
    browser = Client(HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9")
    response = browser.post("/accounts/login/", {"username": user.username, "password": "senha-de-teste"})
    assert response.status_code == 302
    assert browser.session[SESSION_LANGUAGE_KEY] == "en"
    page = browser.get("/chat/").content.decode()
    assert '<html lang="en">' in page and "My Tickets" in page

    # Back to Portuguese with the switch, for good.
    browser.post("/i18n/setlang/", {"language": "pt-br", "next": "/chat/"})
    assert UserPreference.objects.get(user=user).language == "pt-br"
    again = Client(HTTP_ACCEPT_LANGUAGE="en")
    again.post("/accounts/login/", {"username": user.username, "password": "senha-de-teste"})
    assert "Meus Atendimentos" in again.get("/chat/").content.decode()


def test_an_unknown_language_changes_nothing(world):
    user = world["person"].user
    client = client_for(user, "en")
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert UserPreference.objects.get(user=user).language == "en"


def test_the_javascript_catalogue_translates_the_live_texts(world):
    """Status events carry the Portuguese source of the status; the catalogue translates it and the texts
    the scripts write. Message events carry their line rendered in the socket's language (tests/realtime)."""
    client = client_for(world["person"].user, "en")
    response = client.get(reverse("javascript-catalog"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    catalogue, formats = js_catalogue(response)
    assert catalogue["Chat Concluído pelo Usuário"] == "Chat Concluded by the User"
    assert catalogue["Novas mensagens (%(count)s)"] == "New messages (%(count)s)"
    assert formats["SHORT_DATETIME_FORMAT"] == "m/d/Y g:i A"
