"""The satisfaction survey: in the chat window after a conclusion, and by the signed link of the transcript e-mail."""

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from csat import services as csat_services
from csat.models import SatisfactionAnswer
from tests.conftest import login
from tickets import services
from tickets.models import Ticket
from tickets.tasks import send_transcript

QUESTION = "Como você avalia este atendimento?"
SCORE_INVALID = "Escolha uma nota de 1 a 5."
LINK_INVALID = "Este link de avaliação não é válido."


@pytest.fixture
def concluded(ticket, person):
    return services.ticket_conclude_by_requester(ticket=ticket, user=person.user)


def link_path(ticket: Ticket) -> str:
    return f"/chat/avaliacao/{csat_services.csat_token(ticket=ticket)}/"


def test_the_chat_window_asks_after_the_conclusion_and_keeps_one_changeable_answer(person_client, concluded):
    page = person_client.get(f"/chat/atendimentos/{concluded.number}/").content.decode()
    assert QUESTION in page
    assert 'name="score"' in page

    response = person_client.post(f"/chat/avaliacao/atendimentos/{concluded.number}/", {"score": "4", "comment": "Ok"})
    assert response.status_code == 302
    assert response["Location"] == f"/chat/atendimentos/{concluded.number}/"
    answer = SatisfactionAnswer.objects.get(ticket=concluded)
    assert (answer.score, answer.comment, answer.via) == (4, "Ok", "chat")

    person_client.post(f"/chat/avaliacao/atendimentos/{concluded.number}/", {"score": "5", "comment": ""})
    answer = SatisfactionAnswer.objects.get(ticket=concluded)
    assert (answer.score, answer.comment) == (5, "")
    page = person_client.get(f"/chat/atendimentos/{concluded.number}/").content.decode()
    assert "Sua avaliação: 5 de 5." in page
    assert "Obrigado pela sua avaliação!" in page


def test_an_open_ticket_shows_no_survey_and_refuses_an_answer(person_client, ticket):
    assert QUESTION not in person_client.get(f"/chat/atendimentos/{ticket.number}/").content.decode()
    person_client.post(f"/chat/avaliacao/atendimentos/{ticket.number}/", {"score": "5"})
    page = person_client.get(f"/chat/atendimentos/{ticket.number}/").content.decode()
    assert "a avaliação fica disponível após a conclusão" in page
    assert not SatisfactionAnswer.objects.exists()


@pytest.mark.parametrize("score", ["0", "6", "-1", "abc", "", "4.5", "99999999999999999999"])
def test_a_score_out_of_1_to_5_is_refused_with_a_message_and_nothing_saved(person_client, concluded, score):
    response = person_client.post(f"/chat/avaliacao/atendimentos/{concluded.number}/", {"score": score}, follow=True)
    assert response.status_code == 200
    assert SCORE_INVALID in response.content.decode()
    assert not SatisfactionAnswer.objects.exists()


def test_a_comment_too_long_is_refused(person_client, concluded):
    response = person_client.post(
        f"/chat/avaliacao/atendimentos/{concluded.number}/", {"score": "3", "comment": "x" * 1001}, follow=True
    )
    assert "O comentário deve ter no máximo 1000 caracteres." in response.content.decode()
    assert not SatisfactionAnswer.objects.exists()


def test_somebody_elses_ticket_cannot_be_rated_from_the_chat(client, other_person, concluded):
    response = login(client, other_person.user).post(
        f"/chat/avaliacao/atendimentos/{concluded.number}/", {"score": "1"}
    )
    assert response.status_code == 404
    assert not SatisfactionAnswer.objects.exists()


def test_the_link_works_without_login_and_an_answer_given_twice_is_changed(client, concluded):
    path = link_path(concluded)
    page = client.get(path)
    assert page.status_code == 200
    assert QUESTION in page.content.decode()

    assert client.post(path, {"score": "2", "comment": "Demorou"}).status_code == 302
    assert client.post(path, {"score": "4", "comment": "Resolvido"}).status_code == 302
    answer = SatisfactionAnswer.objects.get(ticket=concluded)
    assert (answer.score, answer.comment, answer.via) == (4, "Resolvido", "email")
    page = client.get(path).content.decode()
    assert "Sua avaliação: 4 de 5." in page


def test_the_link_refuses_a_bad_score_with_a_message(client, concluded):
    response = client.post(link_path(concluded), {"score": "7"})
    assert response.status_code == 400
    assert SCORE_INVALID in response.content.decode()
    assert not SatisfactionAnswer.objects.exists()


def tampered(token: str) -> list[str]:
    payload, rest = token.split(":", 1)
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    return [flipped + ":" + rest, token[:-2], "nada", token + "x"]


def test_a_tampered_or_foreign_link_gets_a_clear_page_and_saves_nothing(client, concluded, ticket):
    token = csat_services.csat_token(ticket=concluded)
    foreign = signing.dumps({"t": concluded.pk, "c": int(concluded.closed_at.timestamp())}, salt="outra.coisa")
    for bad in [*tampered(token), foreign]:
        for method in (client.get, client.post):
            response = method(f"/chat/avaliacao/{bad}/", {"score": "5"} if method == client.post else None)
            assert response.status_code == 400, bad
            assert LINK_INVALID in response.content.decode()
    assert not SatisfactionAnswer.objects.exists()


def test_a_link_for_another_ticket_number_is_refused(client, concluded, person, open_ticket):
    other = open_ticket(person)
    services.ticket_conclude_by_requester(ticket=other, user=person.user)
    # Same signature, another ticket inside: the signature no longer matches.
    token = csat_services.csat_token(ticket=concluded)
    forged = signing.dumps({"t": other.pk, "c": int(concluded.closed_at.timestamp())}, salt="x")
    assert client.get(f"/chat/avaliacao/{forged}/").status_code == 400
    assert client.get(f"/chat/avaliacao/{token}/").status_code == 200


def test_an_expired_link_gets_a_clear_page(client, concluded, monkeypatch):
    eight_days_ago = timezone.now() - timedelta(days=8)
    Ticket.objects.filter(pk=concluded.pk).update(closed_at=eight_days_ago)
    concluded.refresh_from_db()
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(time.time()) - 8 * 86400)
    )
    token = csat_services.csat_token(ticket=concluded)
    monkeypatch.undo()
    response = client.get(f"/chat/avaliacao/{token}/")
    assert response.status_code == 410
    assert (
        "Este link de avaliação expirou: o prazo para avaliar o atendimento é de 7 dias." in response.content.decode()
    )
    assert client.post(f"/chat/avaliacao/{token}/", {"score": "5"}).status_code == 410
    assert not SatisfactionAnswer.objects.exists()


def test_a_fresh_link_to_a_ticket_concluded_over_7_days_ago_is_expired_too(client, concluded):
    Ticket.objects.filter(pk=concluded.pk).update(closed_at=timezone.now() - timedelta(days=7, minutes=1))
    concluded.refresh_from_db()
    assert client.get(link_path(concluded)).status_code == 410
    with pytest.raises(csat_services.errors.SurveyError):
        csat_services.csat_answer(ticket=concluded, score=5, via="chat")
    assert not SatisfactionAnswer.objects.exists()


def test_the_transcript_e_mail_carries_the_link_and_the_link_works(client, ticket, person, settings, mailoutbox):
    settings.SITE_URL = "https://chat.ipm.com.br"
    concluded = services.ticket_conclude_by_requester(ticket=ticket, user=person.user)
    assert send_transcript.apply(args=[concluded.pk]).get() == "sent"
    (sent,) = mailoutbox
    html = next(body for body, mimetype in sent.alternatives if mimetype == "text/html")
    for body in (sent.body, html):
        assert QUESTION in body
    links = re.findall(r"https://chat\.ipm\.com\.br(/chat/avaliacao/[^/\s\"]+/)", sent.body)
    assert len(links) == 1
    assert links[0] in html
    assert client.post(links[0], {"score": "5"}).status_code == 302
    assert SatisfactionAnswer.objects.get(ticket=concluded).score == 5


def test_the_attendant_sees_the_answer_on_the_ticket(attendant_client, concluded):
    SatisfactionAnswer.objects.create(
        ticket=concluded,
        score=2,
        comment="Faltou retorno",
        via="email",
        answered_at=timezone.now(),
        changed_at=timezone.now(),
    )
    page = attendant_client.get(f"/admin/tickets/ticket/{concluded.number}/change/").content.decode()
    assert "Avaliação do atendimento" in page
    assert "Nota: 2 de 5" in page
    assert "Faltou retorno" in page


def test_the_attendant_page_says_when_there_is_no_answer_yet(attendant_client, concluded):
    page = attendant_client.get(f"/admin/tickets/ticket/{concluded.number}/change/").content.decode()
    assert "O solicitante ainda não avaliou este atendimento." in page
