"""Canned replies ("Respostas prontas", issue 14, point 5): the check at save, the filling, who sees and keeps
which, in the admin. The "/" insertion in the browser is in tests/e2e/test_console_conversation.py."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tickets import services
from tickets.canned import canned_reply_options
from tickets.models import CannedReply, Module

from ..conftest import login
from ..factories import UserFactory

ADD = reverse("admin:tickets_cannedreply_add")
LIST = reverse("admin:tickets_cannedreply_changelist")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin-ipm", is_staff=True, is_superuser=True)


KNOWN = "{nome}, {primeiro_nome}, {numero}, {modulo}, {atendente}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "body", "field", "message"),
    [
        ("", "Olá", "title", "Escreva o título da resposta pronta."),
        ("Saudação", "  ", "body", "Escreva o texto da resposta pronta."),
        ("Saudação", "x" * 2001, "body", "O texto da resposta pronta deve ter no máximo 2000 caracteres."),
        (
            "Saudação",
            "Olá <b>{nome}</b>",
            "body",
            "A resposta pronta não pode conter marcação (HTML); escreva apenas texto.",
        ),
        ("<i>x</i>", "Olá", "title", "A resposta pronta não pode conter marcação (HTML); escreva apenas texto."),
        (
            "Saudação",
            "Olá {cliente}",
            "body",
            f"Variável desconhecida: {{cliente}}. Use apenas: {KNOWN}.",
        ),
        (
            "Saudação",
            "Olá {nome.__class__}",
            "body",
            f"Variável desconhecida: {{nome.__class__}}. Use apenas: {KNOWN}.",
        ),
        (
            "Saudação",
            "Olá {nome:>9999}",
            "body",
            f"Variável desconhecida: {{nome:>9999}}. Use apenas: {KNOWN}.",
        ),
        (
            "Saudação",
            "Olá {nome",
            "body",
            f"Chaves sem par no texto. Use as variáveis assim: {KNOWN}; para uma chave literal escreva {{{{ ou }}}}.",
        ),
    ],
    ids=["empty-title", "empty-body", "too-long", "markup", "markup-title", "unknown", "attribute", "spec", "brace"],
)
def test_bad_canned_replies_are_refused_at_save_with_a_message(title, body, field, message, superuser):
    with pytest.raises(ValidationError) as refused:
        CannedReply(title=title, body=body).full_clean()
    assert message in refused.value.message_dict[field]

    response = login(Client(), superuser).post(ADD, {"title": title, "body": body})
    assert response.status_code == 200
    assert message.split(":")[0].split(";")[0].split(" (")[0] in response.content.decode()
    assert not CannedReply.objects.exists()


@pytest.mark.django_db
def test_the_variables_are_filled_for_the_ticket(ticket, attendant):
    CannedReply.objects.create(
        title="Saudação",
        body="Olá, {primeiro_nome}! Sou {atendente}. Atendimento {numero} ({modulo}) de {nome}. {{chave}}",
    )
    [option] = canned_reply_options(user=attendant, ticket=ticket)
    assert option["title"] == "Saudação"
    assert option["text"] == (
        f"Olá, HAUANA! Sou Ana Paula Schmitt. Atendimento {ticket.pk} (Nota Fiscal Eletrônica Web) "
        "de HAUANA ANDRADE NEGHERBON. {chave}"
    )


@pytest.mark.django_db
def test_the_variables_have_their_english_names_too(ticket, attendant):
    reply = CannedReply(title="Hello", body="Hi {first_name}, ticket {number} ({module}). {attendant}")
    reply.full_clean()
    reply.save()
    [option] = canned_reply_options(user=attendant, ticket=ticket)
    assert option["text"] == f"Hi HAUANA, ticket {ticket.pk} (Nota Fiscal Eletrônica Web). Ana Paula Schmitt"


@pytest.mark.django_db
def test_each_attendant_is_offered_the_shared_and_their_own_for_any_or_the_tickets_module(
    ticket, attendant, attendant2
):
    other_module = Module.objects.create(name="Folha de Pagamento")
    CannedReply.objects.create(title="Compartilhada", body="a")
    CannedReply.objects.create(title="Do módulo", body="b", module=ticket.module)
    CannedReply.objects.create(title="De outro módulo", body="c", module=other_module)
    CannedReply.objects.create(title="Minha", body="d", owner=attendant)
    CannedReply.objects.create(title="Do colega", body="e", owner=attendant2)

    titles = [option["title"] for option in canned_reply_options(user=attendant, ticket=ticket)]
    assert titles == ["Compartilhada", "Do módulo", "Minha"]


@pytest.mark.django_db
def test_an_attendant_keeps_their_own_replies_and_only_reads_the_shared_ones(attendant, attendant2, superuser):
    client = login(Client(), attendant)
    response = client.post(ADD, {"title": "Minha saudação", "body": "Olá, {nome}!", "owner": attendant2.pk})
    assert response.status_code == 302
    mine = CannedReply.objects.get(title="Minha saudação")
    assert mine.owner == attendant  # an attendant's reply is always their own, whatever the form says

    shared = CannedReply.objects.create(title="Compartilhada", body="Bom dia!")
    colleagues = CannedReply.objects.create(title="Do colega", body="Oi", owner=attendant2)
    listing = client.get(LIST).content.decode()
    assert "Minha saudação" in listing and "Compartilhada" in listing and "Do colega" not in listing

    change = reverse("admin:tickets_cannedreply_change", args=[shared.pk])
    assert client.get(change).status_code == 200  # read only
    assert client.post(change, {"title": "Mudada", "body": "x"}).status_code == 403
    assert client.get(reverse("admin:tickets_cannedreply_change", args=[colleagues.pk])).status_code in (302, 404)
    assert (
        client.post(reverse("admin:tickets_cannedreply_delete", args=[shared.pk]), {"post": "yes"}).status_code == 403
    )
    assert CannedReply.objects.get(pk=shared.pk).title == "Compartilhada"

    mine_url = reverse("admin:tickets_cannedreply_change", args=[mine.pk])
    assert client.post(mine_url, {"title": "Minha saudação", "body": "Oi, {primeiro_nome}!"}).status_code == 302
    assert CannedReply.objects.get(pk=mine.pk).body == "Oi, {primeiro_nome}!"
    assert client.post(reverse("admin:tickets_cannedreply_delete", args=[mine.pk]), {"post": "yes"}).status_code == 302
    assert not CannedReply.objects.filter(pk=mine.pk).exists()


@pytest.mark.django_db
def test_an_administrator_keeps_the_shared_replies(superuser, attendant):
    client = login(Client(), superuser)
    assert client.post(ADD, {"title": "Encerramento", "body": "Obrigado, {nome}.", "owner": ""}).status_code == 302
    reply = CannedReply.objects.get(title="Encerramento")
    assert reply.owner is None
    change = reverse("admin:tickets_cannedreply_change", args=[reply.pk])
    assert (
        client.post(change, {"title": "Encerramento", "body": "Até logo, {primeiro_nome}.", "owner": ""}).status_code
        == 302
    )
    assert CannedReply.objects.get(pk=reply.pk).body == "Até logo, {primeiro_nome}."


@pytest.mark.django_db
def test_the_conversation_page_carries_the_filled_replies_for_the_reply_box(ticket, attendant, attendant_client):
    CannedReply.objects.create(title="Saudação", body="Olá, {primeiro_nome}!")
    page = attendant_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    data = page.split('<script id="canned-replies" type="application/json">')[1].split("</script>")[0]
    assert json.loads(data)[0]["text"] == "Olá, HAUANA!"
    assert 'aria-controls="canned-list"' in page and 'role="listbox"' in page
    # Nobody who may not reply gets the list.
    services.ticket_take(ticket=ticket, attendant=attendant)
    other = login(Client(), UserFactory(username="x", is_staff=True, is_superuser=True))
    page = other.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    assert 'id="canned-replies"' not in page
