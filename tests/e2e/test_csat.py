"""The satisfaction survey in a real Chromium (issue 17): under the concluded conversation, on the attendant's
ticket, and through the transcript e-mail's link without logging in."""

import re
from email.message import Message

import pytest
from playwright.sync_api import expect

from .helpers import open_new_ticket, reply_as_attendant, take_ticket

pytestmark = pytest.mark.e2e

QUESTION = "Como você avalia este atendimento?"


def plain_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("the e-mail has no text part")


def test_the_servidor_rates_the_concluded_ticket_the_attendant_sees_it_and_the_e_mail_link_changes_it(
    login_as, stack, new_context
):
    servidor = login_as("servidor")
    number = open_new_ticket(servidor, "Como gero o arquivo da DIRF?")
    attendant = login_as("atendente")
    take_ticket(attendant, number)
    reply_as_attendant(attendant, "Pelo menu Obrigações > DIRF.")

    servidor.goto(f"/chat/atendimentos/{number}/")
    expect(servidor.get_by_role("group", name=QUESTION)).to_have_count(0)
    servidor.once("dialog", lambda question: question.accept())
    servidor.get_by_role("button", name="Concluir Atendimento").click()

    survey = servidor.get_by_role("group", name=QUESTION)
    expect(survey).to_be_visible()
    survey.get_by_label("4 – Satisfeito").check()
    servidor.get_by_label("Comentário (opcional)").fill("Resolvido rápido.")
    servidor.get_by_role("button", name="Enviar avaliação").click()
    expect(servidor.locator(".messages[role=status]")).to_have_text("Obrigado pela sua avaliação!")
    expect(servidor.locator(".csat-current")).to_have_text("Sua avaliação: 4 de 5.")
    expect(servidor.get_by_label("4 – Satisfeito")).to_be_checked()

    attendant.goto(f"/admin/tickets/ticket/{number}/change/")
    expect(attendant.locator(".csat-admin")).to_contain_text("Nota: 4 de 5")
    expect(attendant.locator(".csat-admin")).to_contain_text("Resolvido rápido.")

    mail = stack.mailbox.wait_for(lambda message: f"Atendimento {number} " in message["Subject"])
    body = plain_text(mail)
    assert QUESTION in body
    path = re.search(r"https?://[^/\s]+(/chat/avaliacao/[^/\s]+/)", body).group(1)

    # The link needs no login: a fresh browser with no session.
    anonymous = new_context().new_page()
    anonymous.goto(path)
    expect(anonymous.get_by_role("heading", name="Avaliação do atendimento")).to_be_visible()
    expect(anonymous.get_by_label("4 – Satisfeito")).to_be_checked()
    anonymous.get_by_label("2 – Insatisfeito").check()
    anonymous.get_by_role("button", name="Alterar avaliação").click()
    expect(anonymous.locator(".csat-current")).to_have_text("Sua avaliação: 2 de 5.")

    anonymous.goto(path[:-3] + "x/")
    expect(anonymous.locator("[role=alert]")).to_contain_text("Este link de avaliação não é válido.")
