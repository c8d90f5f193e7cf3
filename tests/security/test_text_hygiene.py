"""Text hygiene (issue 15, point 12).

Threats: a message made only of zero-width spaces, joiners or BOMs that shows as an empty bubble
(and pings the other side for nothing); names and file names with direction overrides that read
differently from what they are ("ana\u202efdp.exe" shows as "anaexe.pdf") or control characters that
break the admin's layout and the e-mail.
"""

import pytest

from attachments.validators import name_sanitize
from people.text import has_visible_text, name_clean
from tests.factories import AttendantFactory
from tickets import errors, services
from tickets.models import Message, Ticket

INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e\u200f", "\u202e", "\u2066\u2069"]
ONLY_INVISIBLE = ["".join(INVISIBLES), "\u200b \u200b\n\ufeff", "\x01\x02\u200d", "\u3164\u115f"]


@pytest.mark.parametrize("text", ONLY_INVISIBLE)
def test_text_of_invisible_characters_only_has_nothing_visible(text):
    assert not has_visible_text(text)


def test_visible_text_with_an_emoji_joiner_is_kept():
    assert has_visible_text("👩\u200d💻 ok")


@pytest.mark.django_db
@pytest.mark.parametrize("text", ONLY_INVISIBLE)
def test_a_message_of_invisible_characters_is_refused_as_empty(person_client, person, module, ticket, text):
    response = person_client.post("/chat/novo/", {"module": module.pk, "reason": text})
    assert response.status_code == 400
    assert errors.REASON_EMPTY in response.content.decode()
    before = Message.objects.count()
    response = person_client.post(f"/chat/atendimentos/{ticket.number}/", {"body": text})
    assert response.status_code == 400
    assert errors.MESSAGE_EMPTY in response.content.decode()
    assert Ticket.objects.count() == 1 and Message.objects.count() == before


@pytest.mark.django_db
def test_direction_overrides_and_controls_are_removed_from_person_names(person_client, person):
    response = person_client.post(
        "/cadastro/", {"kind": "F", "name": "\u202eJOÃO\u2066 DA\x07  SILVA\u2069\u200b", "document": ""}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "JOÃO DA SILVA"


@pytest.mark.django_db
def test_a_person_name_of_invisible_characters_only_is_refused(person_client, person):
    name = person.name
    response = person_client.post("/cadastro/", {"kind": "F", "name": "\u202e\u200b\u2066", "document": ""})
    assert response.status_code == 400
    assert "Informe o nome." in response.content.decode()
    person.refresh_from_db()
    assert person.name == name


@pytest.mark.django_db
def test_an_attendant_name_with_overrides_is_shown_clean_in_the_dialog(ticket):
    attendant = AttendantFactory(username="spoof", first_name="Ana\u202e", last_name="\u2066Schmitt\x1b")
    [message] = services.ticket_message_create(ticket=ticket, user=attendant, body="Olá")
    assert message.author_name == "Ana Schmitt"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("fatura\u202efdp.exe", "faturafdp.exe"),
        ("nota\u2066 fiscal\u2069\x07.pdf", "nota fiscal.pdf"),
        ("\ufeffrelatorio\u200b.pdf", "relatorio.pdf"),
    ],
)
def test_direction_overrides_and_controls_are_removed_from_file_names(raw, shown):
    assert name_sanitize(raw) == shown


def test_name_clean_collapses_every_kind_of_space():
    assert name_clean("  MARIA\u00a0\u2003DA\tSILVA \u3000") == "MARIA DA SILVA"
