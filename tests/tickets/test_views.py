"""The staff side of tickets through the real views and templates (S3–S22)."""

import re
from datetime import time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from attachments.errors import AttachmentRejected
from attachments.services import attachments_clean
from people.errors import CONTACTS_MISSING
from people.models import Contact
from tests.attachments import samples
from tickets import errors, services
from tickets.models import AttendancePeriod, Message, Status, Ticket, TranscriptOutbox
from tickets.views import (
    CLOSED_NOW_NOTICE,
    LEAVE_NOTICE,
    OFFLINE_NOTICE,
    PANEL_EMPTY,
    UNREAD_LEGEND,
    WAITING_NOTICE,
)

from ..conftest import login
from ..factories import ModuleFactory, PersonFactory

S9_WAIT = "Aguarde! Em breve seu atendimento será realizado!"
S9_LEAVE = (
    "Caso você feche o atendimento agora, você será notificado dentro do próprio sistema toda vez que o "
    "Call-Center da IPM lhe enviar uma mensagem."
)
S18_LEGEND = "Quando um atendimento aparecer em vermelho significa que você possui uma mensagem não lida."
S3_EMPTY = (
    "Você não possui registros de chat em atendimento. Deseja iniciar um atendimento com um de nossos profissionais?"
)


def text_of(response) -> str:
    """The page as a person reads it: tags dropped, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([.,:)])", r"\1", text).replace("( ", "(")


def local(moment, fmt: str) -> str:
    return timezone.localtime(moment).strftime(fmt)


def reply(ticket, attendant, body="Segue print da tela"):
    return services.ticket_message_create(ticket=ticket, user=attendant, body=body)


# --- the texts of the SPEC are the ones on the pages ------------------------------------------


def test_view_constants_are_the_spec_texts():
    assert WAITING_NOTICE == S9_WAIT
    assert LEAVE_NOTICE == S9_LEAVE
    assert UNREAD_LEGEND == S18_LEGEND
    assert PANEL_EMPTY == S3_EMPTY


# --- panel (S3, S4, S14) -----------------------------------------------------------------------


def test_empty_panel_offers_atualizar_and_abrir_chat(person_client):
    response = person_client.get("/chat/painel/")
    assert response.status_code == 200
    text = text_of(response)
    assert "ATENDIMENTO ON-LINE" in text
    assert S3_EMPTY in text
    assert "Atualizar" in text and "Abrir Chat" in text
    assert 'href="/chat/"' in response.content.decode()
    assert 'data-unread="0"' in response.content.decode()


def test_panel_lists_codigo_situacao_data_abertura_and_marks_unread_rows_red(
    person_client, person, open_ticket, attendant
):
    answered = open_ticket(person)
    reply(answered, attendant)
    waiting = open_ticket(person)
    response = person_client.get("/chat/painel/")
    html = response.content.decode()
    text = text_of(response)
    assert "Código" in text and "Situação" in text and "Data Abertura" in text
    assert f'<tr class="ticket-row unread" data-number="{answered.number}"' in html
    assert f'<tr class="ticket-row" data-number="{waiting.number}"' in html
    assert html.count('tabindex="0"') == 2
    assert local(answered.opened_at, "%d/%m/%Y %H:%M") in text
    assert "Em Atendimento" in text and "Atendimento Não Iniciado" in text
    assert 'data-unread="1"' in html


def test_panel_leaves_out_concluded_tickets_already_read(person_client, person, ticket):
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    assert S3_EMPTY in text_of(person_client.get("/chat/painel/"))


def test_panel_page_is_the_no_javascript_target_of_the_icon(person_client, ticket):
    response = person_client.get("/chat/atendimento-on-line/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-number="{ticket.number}"' in html
    assert 'id="chat-panel"' in html and html.count('id="chat-panel"') == 1


# --- contact gate (S5) ---------------------------------------------------------------------------


@pytest.fixture
def gated(person):
    person.contacts.filter(kind=Contact.Kind.PHONE).delete()
    return person


def test_panel_without_contacts_carries_the_est_000206_dialog(person_client, gated):
    response = person_client.get("/chat/painel/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-gate="missing"' in html
    assert '<dialog id="gate-dialog"' in html
    text = text_of(response)
    assert "Erro (EST-000206)" in text
    assert CONTACTS_MISSING in text
    assert re.search(r'<a class="button primary" href="/cadastro/"[^>]*>OK</a>', html)
    assert "<summary" in html and "Detalhes" in text


def test_panel_with_contacts_has_no_gate_dialog(person_client):
    html = person_client.get("/chat/painel/").content.decode()
    assert 'data-gate="ok"' in html and "gate-dialog" not in html


@pytest.mark.parametrize("url", ["/chat/", "/chat/novo/", "/chat/meus-dados/"])
def test_chat_window_without_contacts_is_refused_by_the_server(person_client, gated, url):
    """Without JavaScript the gate still holds: the server answers 403 with the error and the way out."""
    response = person_client.get(url)
    assert response.status_code == 403
    text = text_of(response)
    assert "Erro (EST-000206)" in text and CONTACTS_MISSING in text
    assert 'href="/cadastro/"' in response.content.decode()


def test_open_ticket_without_contacts_saves_nothing(person_client, gated, module):
    response = person_client.post("/chat/novo/", {"module": module.pk, "reason": "Preciso de ajuda"})
    assert response.status_code == 403
    assert Ticket.objects.count() == 0


def test_conversation_is_gated_too_once_contacts_are_gone(person_client, person, ticket):
    person.contacts.all().delete()
    assert person_client.get(f"/chat/atendimentos/{ticket.number}/").status_code == 403


def test_after_filling_the_registration_abrir_chat_works(person_client, gated):
    assert person_client.get("/chat/").status_code == 403
    page = person_client.get("/cadastro/")
    assert "Para utilizar o Chat de Atendimento On-line informe" in text_of(page)
    response = person_client.post(
        "/cadastro/", {"kind": "F", "name": gated.name, "document": "", "new_phone": "47 3531-1500"}
    )
    assert response.status_code == 302
    assert person_client.get("/chat/").status_code == 200
    assert 'data-gate="ok"' in person_client.get("/chat/painel/").content.decode()


# --- chat window, tabs (S6, S18, S20, S22) -------------------------------------------------------


def test_chat_window_has_three_tabs_the_persons_name_and_the_phone_channel(person_client, person):
    response = person_client.get("/chat/")
    assert response.status_code == 200
    text = text_of(response)
    for label in ["Meus Atendimentos", "Novo Atendimento", "Meus Dados", person.name]:
        assert label in text
    assert "Outra forma de atendimento é via Telefone e pode ser realizado através do número 47 3531-1500." in text
    assert 'aria-current="page">Meus Atendimentos' in response.content.decode()


def test_meus_atendimentos_groups_the_last_20_and_shows_unread_in_red(
    person_client, person, open_ticket, attendant, settings
):
    settings.OPEN_TICKETS_MAX = 30  # 22 open at once: more than the default allows one person
    tickets = [open_ticket(person, reason=f"Pedido {n}") for n in range(22)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[:5]]).update(status=Status.CONCLUIDO)
    unread = tickets[-1]
    reply(unread, attendant)
    response = person_client.get("/chat/")
    html = response.content.decode()
    text = text_of(response)
    for column in ["Número", "Situação", "Data Abertura", "Atendente", "Módulo"]:
        assert f'<th scope="col">{column}</th>' in html
    assert "Em andamento" in text and "Finalizados" in text
    assert html.count('class="ticket-row') == 20
    # The two oldest fall off the list of 20.
    assert f'data-number="{tickets[0].number}"' not in html and f'data-number="{tickets[1].number}"' not in html
    assert f'<tr class="ticket-row unread" data-number="{unread.number}"' in html
    assert "Ana Paula Schmitt" in text and "Nota Fiscal Eletrônica Web" in text
    assert S18_LEGEND in text
    assert text.index("Em andamento") < text.index("Finalizados")


def test_meus_dados_shows_name_document_email_and_phone(person_client, person):
    text = text_of(person_client.get("/chat/meus-dados/"))
    for label in ["Nome", "CPF/CNPJ", "Endereço de E-mail", "Telefone"]:
        assert label in text
    # The CPF masked (issue 19): the whole number is on "Cadastro de pessoa" and in the data download.
    assert person.name in text and person.document_masked in text and person.document_display not in text
    for contact in person.contacts.all():
        assert contact.value in text


# --- new ticket (S7, S8, S9, S11) ----------------------------------------------------------------


def test_novo_atendimento_form_has_the_labels_and_active_modules(person_client, module):
    ModuleFactory(name="Tributos")
    ModuleFactory(name="Módulo Desativado", active=False)
    response = person_client.get("/chat/novo/")
    html = response.content.decode()
    text = text_of(response)
    assert "Aberto em:" in text and local(timezone.now(), "%d/%m/%Y") in text
    assert '<label for="id_module">Módulo:</label>' in html
    assert '<label for="id_reason">Digite o motivo do atendimento:</label>' in html
    assert "Nota Fiscal Eletrônica Web" in text and "Tributos" in text and "Módulo Desativado" not in text
    assert 'enctype="multipart/form-data"' in html and 'name="files"' in html
    assert "Enviar" in text


def test_sending_opens_the_ticket_and_shows_it_waiting(person_client, person, module):
    response = person_client.post(
        "/chat/novo/", {"module": module.pk, "reason": "Boa tarde, podem por favor me auxiliar?"}, follow=True
    )
    ticket = Ticket.objects.get()
    assert response.redirect_chain == [(f"/chat/atendimentos/{ticket.number}/", 302)]
    assert ticket.requester == person and ticket.status == Status.NAO_INICIADO
    text = text_of(response)
    assert f"Número do Atendimento: {ticket.number} (Nota Fiscal Eletrônica Web)" in text
    assert "Mensagens Anteriores" in text
    assert f"Enviado em: {local(ticket.opened_at, '%d/%m/%Y %H:%M:%S')}" in text
    assert "Boa tarde, podem por favor me auxiliar?" in text
    assert S9_WAIT in text and S9_LEAVE in text
    assert "Atendimento Não Iniciado" in text
    assert '<label for="id_body">Digite o motivo do atendimento:</label>' in response.content.decode()


def test_files_sent_at_opening_show_the_s11_line(person_client, module):
    upload = SimpleUploadedFile("nota.txt", b"Nota fiscal 123", content_type="text/plain")
    response = person_client.post(
        "/chat/novo/", {"module": module.pk, "reason": "Segue a nota", "files": [upload]}, follow=True
    )
    assert response.status_code == 200
    assert "O usuário adicionou anexos ao atendimento." in text_of(response)
    assert "nota.txt" in text_of(response)


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", errors.REASON_EMPTY),
        ("   \n ", errors.REASON_EMPTY),
        ("x" * 5001, errors.REASON_TOO_LONG.format(limit=5000)),
    ],
)
def test_bad_reason_is_refused_with_400_and_nothing_saved(person_client, module, reason, message):
    response = person_client.post("/chat/novo/", {"module": module.pk, "reason": reason})
    assert response.status_code == 400
    assert message in text_of(response)
    assert Ticket.objects.count() == 0 and Message.objects.count() == 0


@pytest.mark.parametrize("module_value", ["", "999999", "abc"])
def test_unknown_module_is_refused_and_the_typed_reason_kept(person_client, module_value):
    response = person_client.post("/chat/novo/", {"module": module_value, "reason": "Texto que digitei"})
    assert response.status_code == 400
    assert errors.MODULE_INVALID in text_of(response)
    assert "Texto que digitei</textarea>" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_inactive_module_is_refused(person_client):
    inactive = ModuleFactory(name="Antigo", active=False)
    response = person_client.post("/chat/novo/", {"module": inactive.pk, "reason": "Ajuda"})
    assert response.status_code == 400 and errors.MODULE_INVALID in text_of(response)
    assert Ticket.objects.count() == 0


def test_rejected_file_shows_the_reason_keeps_the_text_and_saves_nothing(person_client, module, settings):
    big = b"x" * (settings.ATTACHMENT_MAX_BYTES + 1)
    with pytest.raises(AttachmentRejected) as expected:
        attachments_clean(files=[SimpleUploadedFile("grande.pdf", big)])
    upload = SimpleUploadedFile("grande.pdf", big, content_type="application/pdf")
    response = person_client.post("/chat/novo/", {"module": module.pk, "reason": "Segue o PDF", "files": [upload]})
    assert response.status_code == 400
    assert expected.value.message in text_of(response)
    assert "Segue o PDF</textarea>" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_too_many_messages_a_minute_are_refused_with_429(person_client, module, settings):
    settings.MESSAGE_RATE_LIMIT = 1
    assert person_client.post("/chat/novo/", {"module": module.pk, "reason": "Um"}).status_code == 302
    response = person_client.post("/chat/novo/", {"module": module.pk, "reason": "Dois"})
    assert response.status_code == 429
    assert errors.RATE_LIMITED in text_of(response)
    assert Ticket.objects.count() == 1


# --- off-line hours --------------------------------------------------------------------------------


@pytest.fixture
def closed_now():
    """Attendance only on a weekday that is not today: now is outside every period."""
    other_day = (timezone.localtime().weekday() + 3) % 7
    AttendancePeriod.objects.create(weekday=other_day, starts_at=time(8), ends_at=time(18))
    return other_day


def test_outside_attendance_hours_the_form_warns_and_the_ticket_goes_off_line(person_client, module, closed_now):
    assert CLOSED_NOW_NOTICE in text_of(person_client.get("/chat/novo/"))
    response = person_client.post("/chat/novo/", {"module": module.pk, "reason": "Fora do horário"}, follow=True)
    ticket = Ticket.objects.get()
    assert ticket.status == Status.OFFLINE
    text = text_of(response)
    assert "Chat Off-Line" in text
    assert OFFLINE_NOTICE in text
    assert "será respondido no próximo período de atendimento" in text
    next_day = timezone.localdate() + timedelta(days=(closed_now - timezone.localdate().weekday()) % 7)
    assert "Previsão: " in text and next_day.strftime("%d/%m/%Y") + " às 08:00" in text


# --- conversation (S15, S21) -----------------------------------------------------------------------


def test_conversation_shows_number_module_messages_and_answer_box(person_client, person, ticket, attendant):
    [answer] = reply(ticket, attendant, "Segue print da tela")
    response = person_client.get(f"/chat/atendimentos/{ticket.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert f"Número do Atendimento: {ticket.number} (Nota Fiscal Eletrônica Web)" in text
    assert f'href="/chat/atendimentos/{ticket.number}/informacoes/">Mais Informações</a>' in html
    assert f"Ana Paula Schmitt diz ({local(answer.created_at, '%d/%m/%Y %H:%M')}):" in text
    assert f"{person.name} diz (" in text
    assert '<label for="id_body">Mensagem:</label>' in html
    assert f'<ol id="dialog" class="dialog" data-ticket="{ticket.number}" data-last-id="{answer.pk}"' in html
    assert f'data-ws="/ws/tickets/{ticket.number}/"' in html
    assert '<span id="ticket-status">Em Atendimento</span>' in html
    assert 'id="message-form"' in html and 'id="connection-status"' in html
    assert "Mensagens Anteriores" not in text and S9_WAIT not in text


def test_opening_the_conversation_marks_the_attendants_messages_read(person_client, person, ticket, attendant):
    reply(ticket, attendant)
    assert 'class="ticket-row unread"' in person_client.get("/chat/painel/").content.decode()
    person_client.get(f"/chat/atendimentos/{ticket.number}/")
    ticket.refresh_from_db()
    assert not ticket.unread_for_requester
    html = person_client.get("/chat/painel/").content.decode()
    assert 'class="ticket-row unread"' not in html and 'data-unread="0"' in html


def test_answering_adds_the_message_to_the_dialog(person_client, person, ticket, attendant):
    reply(ticket, attendant)
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/", {"body": "Não está sendo possível"})
    assert response.status_code == 302 and response["Location"] == f"/chat/atendimentos/{ticket.number}/"
    assert ticket.messages.filter(author_kind=Message.Author.REQUESTER, body="Não está sendo possível").exists()
    assert "Não está sendo possível" in text_of(person_client.get(response["Location"]))


def test_answer_with_a_file_shows_the_s15_file_line(person_client, ticket):
    upload = SimpleUploadedFile("print.png", samples.png(), content_type="image/png")
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/", {"body": "", "files": [upload]})
    assert response.status_code == 302
    text = text_of(person_client.get(response["Location"]))
    assert "O usuário enviou um arquivo." in text and "print.png" in text


@pytest.mark.parametrize(
    ("body", "message"),
    [("", errors.MESSAGE_EMPTY), ("y" * 5001, errors.MESSAGE_TOO_LONG.format(limit=5000))],
)
def test_bad_answer_is_refused_with_400_and_nothing_saved(person_client, ticket, body, message):
    before = ticket.messages.count()
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/", {"body": body})
    assert response.status_code == 400
    assert message in text_of(response)
    assert ticket.messages.count() == before


def test_mais_informacoes_shows_the_opening_data(person_client, ticket, attendant):
    reply(ticket, attendant)
    response = person_client.get(f"/chat/atendimentos/{ticket.number}/informacoes/")
    assert response.status_code == 200
    text = text_of(response)
    for label in ["Data Abertura", "Módulo", "Atendente", "Descrição Abertura"]:
        assert label in text
    assert local(ticket.opened_at, "%d/%m/%Y %H:%M") in text
    assert "Ana Paula Schmitt" in text
    assert f"Enviado em: {local(ticket.opened_at, '%d/%m/%Y %H:%M:%S')}" in text
    assert "Boa tarde, podem por favor me auxiliar?" in text
    assert "Segue print da tela" not in text


# --- conclusion (S16, S17) ---------------------------------------------------------------------


def test_concluir_atendimento_closes_adds_the_system_line_and_queues_the_email(person_client, ticket):
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/concluir/", follow=True)
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == Status.CONCLUIDO_USUARIO and ticket.closed_at is not None
    text = text_of(response)
    assert "* Chat Concluído pelo Usuário!" in text
    assert "Chat Concluído pelo Usuário" in text
    assert TranscriptOutbox.objects.filter(ticket=ticket).exists()
    html = response.content.decode()
    assert 'id="message-form"' not in html and "Concluir Atendimento" not in html
    assert errors.TICKET_CLOSED in text


def test_a_concluded_ticket_takes_no_more_messages_nor_a_second_conclusion(person_client, person, ticket):
    services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    count = ticket.messages.count()
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/", {"body": "Mais uma coisa"})
    assert response.status_code == 400 and errors.TICKET_CLOSED in text_of(response)
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/concluir/")
    assert response.status_code == 400 and errors.TICKET_CLOSED in text_of(response)
    assert ticket.messages.count() == count


def test_a_cancelled_ticket_takes_no_messages(person_client, ticket, attendant):
    services.ticket_status_change(ticket=ticket, attendant=attendant, status=Status.CANCELADO)
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/", {"body": "Olá?"})
    assert response.status_code == 400 and errors.TICKET_CLOSED in text_of(response)
    assert ticket.messages.filter(body="Olá?").count() == 0


def test_conclude_needs_post(person_client, ticket):
    assert person_client.get(f"/chat/atendimentos/{ticket.number}/concluir/").status_code == 405
    ticket.refresh_from_db()
    assert ticket.status == Status.NAO_INICIADO


# --- access (S2, B5) ---------------------------------------------------------------------------------

CHAT_URLS = [
    "/chat/",
    "/chat/painel/",
    "/chat/atendimento-on-line/",
    "/chat/novo/",
    "/chat/meus-dados/",
    "/chat/atendimentos/{n}/",
    "/chat/atendimentos/{n}/informacoes/",
]


CHAT_OFF_TEXT = "O Atendimento On-line foi desativado para a sua entidade pela IPM. Nada foi enviado."


@pytest.mark.parametrize("url", CHAT_URLS)
def test_every_chat_url_is_refused_when_the_entity_has_the_chat_off(person_client, person, ticket, url):
    """Threat: a staff member of a municipality without the service reaching the chat by typing its URLs.
    Refused with a page that says why (403), not a 404: the chat was there a moment ago (issue 13)."""
    person.entity.online_chat_enabled = False
    person.entity.save()
    response = person_client.get(url.format(n=ticket.number))
    assert response.status_code == 403
    assert CHAT_OFF_TEXT in text_of(response)
    assert "Boa tarde, podem por favor me auxiliar?" not in text_of(response)  # nothing of the chat shows


def test_posting_is_refused_when_the_entity_has_the_chat_off(person_client, person, ticket, module):
    """Threat: opening, answering or concluding tickets through forged POSTs after the chat was switched off."""
    person.entity.online_chat_enabled = False
    person.entity.save()
    assert person_client.post("/chat/novo/", {"module": module.pk, "reason": "x"}).status_code == 403
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/", {"body": "x"})
    assert response.status_code == 403 and CHAT_OFF_TEXT in text_of(response)
    assert person_client.post(f"/chat/atendimentos/{ticket.number}/concluir/").status_code == 403
    ticket.refresh_from_db()
    assert Ticket.objects.count() == 1 and ticket.messages.count() == 1 and ticket.status == Status.NAO_INICIADO


@pytest.mark.parametrize("owner", ["other_person", "foreign_person"])
def test_someone_elses_ticket_is_404_on_every_url(request, person_client, open_ticket, owner):
    """Threat: a staff member reading, answering or concluding a colleague's or another municipality's ticket
    by changing the number in the URL (B5)."""
    ticket = open_ticket(request.getfixturevalue(owner))
    for url in ["/chat/atendimentos/{n}/", "/chat/atendimentos/{n}/informacoes/"]:
        assert person_client.get(url.format(n=ticket.number)).status_code == 404
    assert person_client.post(f"/chat/atendimentos/{ticket.number}/", {"body": "Intruso"}).status_code == 404
    assert person_client.post(f"/chat/atendimentos/{ticket.number}/concluir/").status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Status.NAO_INICIADO and ticket.messages.count() == 1


def test_someone_elses_ticket_looks_like_a_missing_one(person_client, other_person, open_ticket):
    """Threat: probing which ticket numbers exist; "not yours" and "does not exist" must answer alike."""
    ticket = open_ticket(other_person)
    theirs = person_client.get(f"/chat/atendimentos/{ticket.number}/")
    missing = person_client.get(f"/chat/atendimentos/{ticket.number + 1000}/")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content


def test_an_attendant_on_the_staff_pages_sees_no_chat(attendant_client, ticket):
    """Threat: a user without a person record reaching the staff chat; the attendants work in the admin."""
    for url in CHAT_URLS:
        assert attendant_client.get(url.format(n=ticket.number)).status_code == 404


def test_an_attendant_with_a_person_record_still_sees_only_their_own_tickets(attendant, ticket, entity):
    """Threat: an IPM attendant who is also a registered person reading other people's tickets on the staff
    pages, where ticket_get_for_user alone would let any attendant through."""
    PersonFactory(entity=entity, user=attendant)
    client = login(Client(), attendant)
    assert client.get(f"/chat/atendimentos/{ticket.number}/").status_code == 404


@pytest.mark.parametrize("url", ["/chat/", "/chat/painel/", "/chat/novo/", "/chat/atendimentos/1/"])
def test_chat_urls_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_pages_carry_no_inline_script_nor_inline_handlers(person_client, ticket, attendant):
    """Threat: inline code the CSP (script-src 'self') would block, or that would need 'unsafe-inline'."""
    reply(ticket, attendant)
    for url in ["/", "/chat/", "/chat/novo/", "/chat/painel/", f"/chat/atendimentos/{ticket.number}/", "/cadastro/"]:
        html = person_client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url


def test_an_empty_post_is_refused_not_ignored(person_client, ticket):
    assert person_client.post("/chat/novo/", {}).status_code == 400
    assert person_client.post(f"/chat/atendimentos/{ticket.number}/", {}).status_code == 400
    assert Ticket.objects.count() == 1 and ticket.messages.count() == 1


def test_a_file_alone_is_a_valid_answer(person_client, ticket):
    upload = SimpleUploadedFile("extrato.ofx", samples.OFX_SGML, content_type="application/x-ofx")
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/", {"files": [upload]})
    assert response.status_code == 302
    assert ticket.messages.filter(kind=Message.Kind.FILES).count() == 1
