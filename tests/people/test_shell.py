"""The ERP host shell around the chat: toolbar, module title, search box, the chat icon and its badge (S1, S2, S12)."""

import re

from tickets import services


def test_shell_shows_the_toolbar_module_title_search_and_chat_icon(person_client, person):
    html = person_client.get("/").content.decode()
    assert "CADASTROS ÚNICOS" in html
    assert 'placeholder="Pesquisa (Ctrl+Shift+F)"' in html
    assert '<label for="erp-search" class="visually-hidden">Pesquisa</label>' in html
    assert re.search(r'<a id="chat-icon"[^>]*title="Atendimento On-line"', html)
    assert '<span class="visually-hidden">Atendimento On-line</span>' in html
    assert f'data-person="{person.pk}"' in html
    assert 'src="/static/js/chat.js"' in html


def test_no_chat_icon_nor_chat_script_when_the_entity_has_the_chat_off(person_client, person):
    person.entity.online_chat_enabled = False
    person.entity.save()
    html = person_client.get("/").content.decode()
    assert "CADASTROS ÚNICOS" in html
    assert 'id="chat-icon"' not in html and "data-person" not in html and "chat.js" not in html


def test_user_without_a_person_sees_the_shell_without_the_icon(attendant_client):
    html = attendant_client.get("/").content.decode()
    assert "CADASTROS ÚNICOS" in html and 'id="chat-icon"' not in html


def test_badge_is_hidden_at_zero_and_shows_the_number_of_answered_tickets(
    person_client, person, open_ticket, attendant
):
    assert '<span id="chat-badge" class="badge" title="Atendimentos com mensagem não lida" hidden>0</span>' in (
        person_client.get("/").content.decode()
    )
    for _ in range(2):
        services.ticket_message_create(ticket=open_ticket(person), user=attendant, body="Resposta")
    html = person_client.get("/").content.decode()
    assert '<span id="chat-badge" class="badge" title="Atendimentos com mensagem não lida">2</span>' in html


def test_the_icon_leads_to_the_panel_page_without_javascript(person_client):
    html = person_client.get("/").content.decode()
    assert re.search(r'<a id="chat-icon"[^>]*href="/chat/atendimento-on-line/"', html)
    assert 'data-url="/chat/painel/"' in html


def test_registration_page_tells_what_the_chat_needs(person_client, person):
    assert "Abrir Chat" in person_client.get("/cadastro/").content.decode()
    person.contacts.all().delete()
    html = person_client.get("/cadastro/").content.decode()
    assert "Para utilizar o Chat de Atendimento On-line informe ao menos um endereço de e-mail e um telefone" in html
