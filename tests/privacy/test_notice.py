"""The privacy notice (LGPD art. 9, 41): who the controller and the encarregado are, reachable where data is asked."""

import pytest
from django.test import Client

from tests.conftest import login


@pytest.mark.django_db
def test_the_notice_names_the_controller_and_the_encarregado_set_for_the_installation(settings):
    settings.PRIVACY_CONTROLLER_NAME = "Prefeitura Municipal de Exemplo"
    settings.PRIVACY_DPO_NAME = "Joana Encarregada"
    settings.PRIVACY_DPO_EMAIL = "dpo@exemplo.sc.gov.br"

    response = Client().get("/privacidade/aviso/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Aviso de privacidade" in page
    assert "Prefeitura Municipal de Exemplo" in page and "Joana Encarregada" in page
    assert 'href="mailto:dpo@exemplo.sc.gov.br"' in page


@pytest.mark.django_db
def test_the_chat_window_and_the_registration_page_link_to_the_notice(person):
    client = login(Client(), person.user)
    for url in ("/chat/", "/chat/novo/", "/chat/meus-dados/", "/cadastro/"):
        assert 'href="/privacidade/aviso/">Aviso de privacidade</a>' in client.get(url).content.decode(), url
