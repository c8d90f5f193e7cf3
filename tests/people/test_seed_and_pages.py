import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from people.models import Contact, Entity, Person
from people.selectors import person_has_required_contacts
from tickets.models import Module
from tickets.selectors import user_is_attendant


@pytest.mark.django_db
def test_seed_demo_twice_creates_everything_once(settings):
    settings.ALLOW_DEMO_DATA = True  # the tests run with DEBUG off, as the e2e stack does
    call_command("seed_demo")
    call_command("seed_demo")
    User = get_user_model()
    assert Entity.objects.count() == 2
    assert Entity.objects.get(name="Prefeitura Municipal de Rio do Sul").online_chat_enabled
    assert Entity.objects.filter(online_chat_enabled=False).count() == 1
    assert {"Nota Fiscal Eletrônica Web", "Cadastros Únicos", "Tributos", "Folha de Pagamento", "Protocolo"} <= set(
        Module.objects.values_list("name", flat=True)
    )
    for username in ["servidor", "incompleto", "semchat", "atendente", "atendente2", "admin"]:
        user = User.objects.get(username=username)
        assert user.check_password(username)
    assert Person.objects.count() == 3
    assert Contact.objects.count() == 4
    assert person_has_required_contacts(person=Person.objects.get(user__username="servidor"))
    assert not person_has_required_contacts(person=Person.objects.get(user__username="incompleto"))
    assert not Person.objects.get(user__username="semchat").entity.online_chat_enabled
    attendant = User.objects.get(username="atendente")
    assert user_is_attendant(user=attendant) and not attendant.is_superuser
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_login_then_home_shows_the_erp_shell(client, person):
    person.user.set_password("segredo-123")
    person.user.save()
    response = client.post("/accounts/login/", {"username": person.user.username, "password": "segredo-123"})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "CADASTROS ÚNICOS" in page
    assert "Pesquisa (Ctrl+Shift+F)" in page
    assert "Atendimento On-line" in page


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_logout_ends_the_session(person_client):
    assert person_client.post("/accounts/logout/").status_code == 302
    assert person_client.get("/").status_code == 302


@pytest.mark.django_db
def test_registration_page_adds_contacts_and_address(person_client, person):
    person.contacts.all().delete()
    response = person_client.post(
        "/cadastro/",
        {
            "kind": "F",
            "name": "HAUANA A. NEGHERBON",
            "document": "529.982.247-25",
            "new_email": "Hauana@RioDoSul.sc.gov.br",
            "new_phone": "47 3531-1500",
            "cep": "89160-000",
            "country": "Brasil",
            "state": "SC",
            "city": "Rio do Sul",
            "district": "Centro",
            "street": "Rua XV",
            "number": "10",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "HAUANA A. NEGHERBON" and person.document == "52998224725" and person.city == "Rio do Sul"
    assert set(person.contacts.values_list("value", flat=True)) == {"hauana@riodosul.sc.gov.br", "(47) 3531-1500"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("document", "529.982.247-26", "CPF inválido: confira os dígitos verificadores."),
        ("new_phone", "12345", "Informe um telefone válido, com DDD (ex.: 47 3531-1500)."),
        ("new_email", "sem-arroba", "Informe um endereço de e-mail válido."),
        ("name", "", "Este campo é obrigatório."),
    ],
)
def test_registration_page_refuses_bad_input_and_saves_nothing(person_client, person, field, value, message):
    data = {"kind": "F", "name": "NOVO NOME", "document": "", "new_email": "", "new_phone": ""}
    data[field] = value
    before = (person.name, person.document, person.contacts.count())
    response = person_client.post("/cadastro/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    person.refresh_from_db()
    assert (person.name, person.document, person.contacts.count()) == before
