"""Downloads: only the ticket's requester and the attendants, as a download, never rendered.

Threat (B5): a person of the same or another municipality, an anonymous visitor or a staff user who is not
an attendant reads files of tickets that are not theirs by guessing ids or the storage path.
Threat: a file served from our origin is rendered (HTML/SVG/PDF scripts) or sniffed into something else.
"""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve

from attachments.models import Attachment
from tests.conftest import login
from tests.factories import UserFactory
from tickets import services

from . import samples

NAME = "relatório de ação 日本.pdf"


@pytest.fixture
def attachment(person, open_ticket):
    open_ticket(person, files=[samples.upload(NAME, samples.pdf())])
    return Attachment.objects.get()


def _attach(ticket, user):
    services.ticket_message_create(ticket=ticket, user=user, body="", files=[samples.upload("a.png", samples.png())])
    return Attachment.objects.filter(uploaded_by=user).get()


def url(attachment):
    return reverse("attachment-download", args=[attachment.pk])


@pytest.mark.django_db
def test_requester_downloads_the_file_under_its_original_name_with_safe_headers(person_client, attachment):
    response = person_client.get(url(attachment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.pdf()
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(NAME)}"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(samples.pdf()))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private"


@pytest.mark.django_db
def test_text_file_keeps_its_charset_and_ascii_name_is_quoted(person, person_client, open_ticket):
    open_ticket(person, files=[samples.upload('nota "fiscal".txt', samples.TXT_LATIN1)])
    response = person_client.get(url(Attachment.objects.get()))
    assert response["Content-Type"] == "text/plain; charset=windows-1252"
    assert response["Content-Disposition"] == 'attachment; filename="nota \\"fiscal\\".txt"'


@pytest.mark.django_db
def test_attendant_downloads_and_requester_gets_the_attendants_file(attendant, attendant_client, person_client, ticket):
    assert attendant_client.get(url(_attach(ticket, attendant))).status_code == 200
    assert person_client.get(url(Attachment.objects.get(uploaded_by=attendant))).status_code == 200


@pytest.mark.django_db
def test_another_person_of_the_same_entity_gets_404(other_person, attachment):
    assert login(Client(), other_person.user).get(url(attachment)).status_code == 404


@pytest.mark.django_db
def test_a_person_of_another_entity_gets_404(foreign_person, attachment):
    assert login(Client(), foreign_person.user).get(url(attachment)).status_code == 404


@pytest.mark.django_db
def test_anonymous_gets_404_not_a_login_redirect(attachment):
    assert Client().get(url(attachment)).status_code == 404


@pytest.mark.django_db
def test_staff_user_who_is_not_an_attendant_gets_404(attachment):
    staff = UserFactory(is_staff=True)
    assert login(Client(), staff).get(url(attachment)).status_code == 404


@pytest.mark.django_db
def test_requester_of_an_entity_with_the_chat_switched_off_gets_404(person, person_client, attachment):
    person.entity.online_chat_enabled = False
    person.entity.save()
    assert person_client.get(url(attachment)).status_code == 404


@pytest.mark.django_db
def test_unknown_attachment_is_404_and_writes_are_not_allowed(person_client, attachment):
    assert person_client.get(reverse("attachment-download", args=[attachment.pk + 1000])).status_code == 404
    assert person_client.post(url(attachment)).status_code == 405


@pytest.mark.django_db
def test_head_request_sends_headers_without_the_file(person_client, attachment):
    response = person_client.head(url(attachment))
    assert response.status_code == 200 and response["Content-Security-Policy"] == "sandbox"


@pytest.mark.django_db
def test_no_url_serves_the_stored_files(settings, person_client, attachment, media_root):
    """Threat: the storage folder is reachable by URL, bypassing the check (e.g. a static.serve route in urls.py)."""
    assert (media_root / attachment.file.name).is_file()
    for path in (
        settings.MEDIA_URL + attachment.file.name,
        "/media/" + attachment.file.name,
        "/" + attachment.file.name,
    ):
        assert person_client.get(path).status_code == 404

    def callbacks(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from callbacks(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                yield entry.callback

    assert serve not in set(callbacks(get_resolver().url_patterns))
