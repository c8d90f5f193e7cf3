"""The data subject's copy of their data (LGPD art. 18 II, 19 II): complete, at once, recorded.

Threat: an export that leaves something out (a ticket, a message, a file), or that one person can
fetch for another.
"""

import json

import pytest
from django.test import Client

from privacy.models import AccessLog
from privacy.selectors import person_data_export
from tests.conftest import login
from tests.factories import PersonFactory
from tickets.models import Message

from .conftest import CPF_DISPLAY, EMAIL, EMAIL2, NAME, PHONE


def expected_dialogs(subject) -> list[list[tuple]]:
    return [
        [
            (m.pk, m.author_name, m.body, [a.original_name for a in m.attachments.order_by("id")])
            for m in Message.objects.filter(ticket=ticket).order_by("id")
        ]
        for ticket in sorted(subject.tickets, key=lambda t: (t.opened_at, t.pk))
    ]


@pytest.mark.django_db
def test_the_export_holds_the_registration_contacts_every_ticket_message_and_file(subject):
    data = person_data_export(person=subject.person)

    assert data["formato"] == "atende-chat/dados-pessoais/v1"
    registration = data["cadastro"]
    assert (registration["nome"], registration["cpf_cnpj"], registration["logradouro"]) == (
        NAME,
        CPF_DISPLAY,
        "Rua das Flores",
    )
    assert registration["entidade"] == "Prefeitura Municipal de Rio do Sul"
    assert sorted((c["tipo"], c["valor"]) for c in data["contatos"]) == sorted(
        [("E-mail", EMAIL), ("E-mail", EMAIL2), ("Telefone", PHONE)]
    )
    assert [t["numero"] for t in data["atendimentos"]] == [t.pk for t in sorted(subject.tickets, key=lambda t: t.pk)]
    dialogs = [
        [(m["id"], m["nome_do_autor"], m["texto"], [f["nome"] for f in m["arquivos"]]) for m in t["mensagens"]]
        for t in data["atendimentos"]
    ]
    assert dialogs == expected_dialogs(subject)
    files = [f["nome"] for t in data["atendimentos"] for m in t["mensagens"] for f in m["arquivos"]]
    assert sorted(files) == sorted(["cpf-52998224725.txt", "tela.txt", "passos.txt"])
    assert data["atendimentos"][0]["situacao"] == "Concluído"


@pytest.mark.django_db
@pytest.mark.parametrize("messages_each", [1, 20])
def test_the_export_costs_a_fixed_number_of_queries(subject, messages_each, django_assert_num_queries, settings):
    from tickets import services

    settings.MESSAGE_RATE_LIMIT = 0
    for index in range(messages_each):
        services.ticket_message_create(ticket=subject.tickets[1], user=subject.person.user, body=f"Mais {index}")
    # contacts, tickets (+ module, entity joined), messages, attachments
    with django_assert_num_queries(4):
        person_data_export(person=subject.person)


@pytest.mark.django_db
def test_meus_dados_links_to_both_downloads_which_answer_at_once_and_are_recorded(subject):
    client = login(Client(), subject.person.user)
    page = client.get("/chat/meus-dados/").content.decode()
    assert 'href="/privacidade/meus-dados/"' in page and 'href="/privacidade/meus-dados.json"' in page
    # Meus Dados itself shows the CPF masked.
    assert "***.982.247-**" in page and CPF_DISPLAY not in page

    download = client.get("/privacidade/meus-dados.json")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="meus-dados-')
    data = json.loads(download.content)
    assert data == {**person_data_export(person=subject.person), "gerado_em": data["gerado_em"]}

    readable = client.get("/privacidade/meus-dados/")
    text = readable.content.decode()
    assert readable.status_code == 200
    for value in (NAME, CPF_DISPLAY, EMAIL, EMAIL2, PHONE, "cpf-52998224725.txt", "tela.txt", "passos.txt"):
        assert value in text
    for ticket in subject.tickets:
        assert f"Número do Atendimento: {ticket.pk}" in text
    entries = AccessLog.objects.filter(action=AccessLog.Action.SELF_EXPORT, person=subject.person)
    assert entries.count() == 2 and {e.actor for e in entries} == {subject.person.user}


@pytest.mark.django_db
def test_each_person_downloads_only_their_own_data(subject, other_person):
    client = login(Client(), other_person.user)
    data = json.loads(client.get("/privacidade/meus-dados.json").content)
    assert data["cadastro"]["nome"] == "OUTRO SERVIDOR" and data["atendimentos"] == []
    assert NAME not in client.get("/privacidade/meus-dados/").content.decode()


@pytest.mark.django_db
def test_the_admin_export_action_downloads_json_and_records_it(subject, ipm_admin_client, ipm_admin):
    response = ipm_admin_client.post(
        "/admin/privacy/datasubject/", {"action": "export_action", "_selected_action": [subject.person.pk]}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    (exported,) = json.loads(response.content)["pessoas"]
    assert exported["cadastro"]["nome"] == NAME
    entry = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (entry.actor, entry.person) == (ipm_admin, subject.person)


@pytest.mark.django_db
def test_an_export_with_one_refused_person_exports_nobody(subject, ipm_admin_client):
    from privacy.models import LegalHold

    held = PersonFactory(name="PESSOA RETIDA")
    LegalHold.objects.create(person=held, reason="Sindicância")
    response = ipm_admin_client.post(
        "/admin/privacy/datasubject/",
        {"action": "export_action", "_selected_action": [subject.person.pk, held.pk]},
        follow=True,
    )
    assert "PESSOA RETIDA estão sob retenção legal" in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


#: Session, user, the person (with entity), the export's four, the log entry, the toolbar's unread count, and
#: the toolbar's "is attendance open?" (the calendar's three: weekly periods, special days, optional holidays).
READABLE_PAGE_QUERIES = 12


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 15])
def test_the_readable_page_costs_a_fixed_number_of_queries(subject, extra, settings, django_assert_num_queries):
    from tickets import services

    settings.MESSAGE_RATE_LIMIT = 0
    for index in range(extra):
        services.ticket_message_create(ticket=subject.tickets[1], user=subject.person.user, body=f"Mais {index}")
    client = login(Client(), subject.person.user)
    client.get("/privacidade/meus-dados/")
    with django_assert_num_queries(READABLE_PAGE_QUERIES):
        response = client.get("/privacidade/meus-dados/")
    assert response.status_code == 200
