"""The whole journey in English (issue 18): a browser in English, from the ERP shell to the conclusion.

The staff member's browser speaks English on a first visit; the attendant stays in Portuguese. The live
events are shared by both sides, so they carry Portuguese source texts that each page shows in its own
language (statuses, the fixed lines, the dates), and the transcript e-mail follows the requester's language.
"""

import re
import uuid
from email.message import Message

import pytest
from playwright.sync_api import expect

from .conftest import log_in
from .helpers import MODULE, TICKET_URL, live_sockets, pdf_bytes, reply_as_attendant, take_ticket

pytestmark = pytest.mark.e2e

ENGLISH_STAFF = """
from django.contrib.auth import get_user_model
from people.models import Contact, Entity
from people.services import contact_add, email_confirm, person_create
from people.verification import email_verification_token

user = get_user_model().objects.create_user({username!r}, password={username!r})
person = person_create(entity=Entity.objects.get(online_chat_enabled=True), name="PAUL WILSON", user=user)
contact_add(person=person, kind=Contact.Kind.EMAIL, value={email!r})
contact_add(person=person, kind=Contact.Kind.PHONE, value="(47) 3531-1500")
# He opened the link of the verification e-mail: the transcript goes only to confirmed addresses.
address = person.contacts.get(kind=Contact.Kind.EMAIL)
email_confirm(token=email_verification_token(contact_id=address.pk, address=address.value))
"""
US_DATE_TIME = r"\d\d/\d\d/\d{4} \d{1,2}:\d\d"


def plain_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("the e-mail has no text part")


@pytest.fixture
def english_page(browser, stack):
    username = f"english{uuid.uuid4().hex[:8]}"
    email = f"{username}@riodosul.sc.gov.br"
    stack.manage("shell", "-c", ENGLISH_STAFF.format(username=username, email=email))
    context = browser.new_context(base_url=stack.base_url, locale="en-US", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    log_in(page, username)
    yield page, email
    context.close()


def test_a_servidor_in_english_opens_chats_and_concludes_and_gets_the_transcript_in_english(
    english_page, login_as, stack
):
    page, email = english_page
    # The ERP shell and the panel.
    expect(page.get_by_label("Language")).to_have_value("en")
    page.get_by_role("link", name=re.compile(r"^On-line Support( \d+)?$")).click()
    panel = page.locator("#chat-panel")
    expect(panel.get_by_role("heading", name="ON-LINE SUPPORT")).to_be_visible()
    expect(panel).to_contain_text("You have no chat records in progress.")
    panel.get_by_role("link", name="Open Chat").click()
    page.wait_for_url("**/chat/")

    # The chat window: a new ticket.
    tabs = page.get_by_role("navigation", name="On-line Support Chat")
    tabs.get_by_role("link", name="New Ticket").click()
    expect(page.get_by_text("Opened at:")).to_be_visible()
    expect(page.get_by_text("Click here to send files or drag and drop them onto this area.")).to_be_visible()
    page.get_by_label("Module:").select_option(label=MODULE)
    page.get_by_label("Type the reason for the ticket:").fill("Invoice 77 is rejected.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(TICKET_URL)
    number = int(TICKET_URL.search(page.url).group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ticket Number: {number} ({MODULE})")
    expect(page.get_by_role("heading", name="Previous Messages")).to_be_visible()
    expect(page.locator("#dialog .msg-head").first).to_have_text(re.compile(rf"^Sent at: {US_DATE_TIME}:\d\d [AP]M$"))
    expect(page.get_by_text("Please wait! You will be attended shortly!")).to_be_visible()

    # The attendant, in Portuguese, takes it and answers with a file: the English page follows live.
    with live_sockets(page, f"/ws/tickets/{number}/") as conversation:
        page.reload()
        conversation.wait_for("resumed")
    attendant = login_as("atendente")
    take_ticket(attendant, number)
    expect(page.locator("#ticket-status")).to_have_text("In Progress")
    reply_as_attendant(attendant, "Please send it again.", files={"guide.pdf": (pdf_bytes(), "application/pdf")})
    reply = page.locator("#dialog .msg-attendant").filter(has_text="Please send it again.")
    expect(reply.locator(".msg-head")).to_have_text(re.compile(rf"^Ana Paula Schmitt says \({US_DATE_TIME} [AP]M\):$"))
    file_line = page.locator("#dialog .msg-attendant").filter(has_text="guide.pdf")
    expect(file_line.locator(".msg-body")).to_have_text("The attendant sent a file")
    expect(file_line.locator("a.download")).to_have_attribute("title", "Download guide.pdf")

    # The conclusion: the attendant's Portuguese page shows the same event in Portuguese.
    with live_sockets(attendant, f"/ws/tickets/{number}/") as attendant_socket:
        attendant.reload()
        attendant_socket.wait_for("resumed")
    page.once("dialog", lambda question: question.accept())
    page.get_by_role("button", name="Conclude Ticket").click()
    expect(page.get_by_role("status").filter(has_text="Ticket concluded")).to_have_text(
        "Ticket concluded. You will receive all the details of the ticket by e-mail."
    )
    expect(page.locator("#ticket-status")).to_have_text("Chat Concluded by the User")
    expect(page.locator("#dialog .msg-system").last).to_have_text("* Chat Concluded by the User!")
    expect(attendant.locator("#dialog .msg-system").last).to_have_text("* Chat Concluído pelo Usuário!")
    expect(attendant.locator("#ticket-status")).to_have_text("Chat Concluído pelo Usuário")

    mail = stack.mailbox.wait_for(lambda message: message["To"] == email)
    assert mail["Subject"] == f"Ticket {number} ({MODULE}) – Chat Concluded by the User"
    body = plain_text(mail)
    for text in (
        "Hello, PAUL WILSON.",
        "Invoice 77 is rejected.",
        "Ana Paula Schmitt says (",
        "The attendant sent a file",
    ):
        assert text in body
    assert "Olá" not in body and "diz (" not in body
