"""Internal notes (issue 14, point 4): written by attendants, read by attendants, never by the requester.

Each leak path has its own test: the requester's pages (conversation, panel, "Meus Atendimentos"), the
badge and unread counts, the reply notice, the privacy export (JSON and page) and the reports' CSV files.
The sockets are in test_console_sockets.py, the transcript e-mail in test_notes_transcript.py.
"""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from privacy.selectors import person_data_export
from reports.tables import TABLES
from routing.notices import reply_notice_candidates
from tickets import errors, services
from tickets.models import Message, Status, Ticket
from tickets.policy import Action, policy_decide
from tickets.selectors import message_list, ticket_panel_list, ticket_unread_count

from ..conftest import login
from ..factories import UserFactory

NOTE = "Cliente já ligou duas vezes; conferir o certificado A1 antes de responder."


def note_url(ticket: Ticket) -> str:
    return reverse("admin:tickets_ticket_note", args=[ticket.pk])


def ticket_url(ticket: Ticket) -> str:
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


@pytest.fixture
def noted(ticket, attendant, person):
    """A ticket with a reply the requester read, then an internal note."""
    services.ticket_message_create(ticket=ticket, user=attendant, body="Bom dia! Vou verificar.")
    ticket.refresh_from_db()
    services.ticket_mark_read(ticket=ticket, user=person.user)
    ticket.refresh_from_db()
    services.ticket_note_create(ticket=ticket, user=attendant, body=NOTE)
    ticket.refresh_from_db()
    return ticket


@pytest.mark.django_db
def test_a_note_is_saved_as_a_note_and_changes_nothing_the_requester_counts(ticket, attendant, person):
    before = Ticket.objects.get(pk=ticket.pk)

    note = services.ticket_note_create(ticket=ticket, user=attendant, body=NOTE)

    assert (note.kind, note.author_kind, note.author_name) == (Message.Kind.NOTE, "attendant", "Ana Paula Schmitt")
    after = Ticket.objects.get(pk=ticket.pk)
    for field in (
        "status",
        "attendant_id",
        "first_response_at",
        "last_attendant_message_id",
        "requester_read_id",
        "last_requester_message_id",
    ):
        assert getattr(after, field) == getattr(before, field), field
    assert after.status == Status.NAO_INICIADO and after.first_response_at is None
    assert ticket_unread_count(person_id=person.pk) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Escreva o texto da nota interna."),
        ("   \u200b\n ", "Escreva o texto da nota interna."),
        (
            "x" * (services.NOTE_MAX_LENGTH + 1),
            f"A nota interna deve ter no máximo {services.NOTE_MAX_LENGTH} caracteres.",
        ),
        ("<b>urgente</b>", "A nota interna não pode conter marcação (HTML); escreva apenas texto."),
        ("ver <script>alert(1)</script>", "A nota interna não pode conter marcação (HTML); escreva apenas texto."),
        ("&lt;b&gt; escapado", "A nota interna não pode conter marcação (HTML); escreva apenas texto."),
    ],
    ids=["empty", "invisible", "too-long", "tag", "script", "entity"],
)
def test_bad_notes_are_refused_with_a_clear_message_and_nothing_saved(
    ticket, attendant, attendant_client, body, message
):
    with pytest.raises(errors.InvalidInput) as refused:
        services.ticket_note_create(ticket=ticket, user=attendant, body=body)
    assert refused.value.message == message

    response = attendant_client.post(note_url(ticket), {"note": body})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="note-error"' in page and 'role="alert"' in page
    assert message.split(" (")[0].split(";")[0] in page
    assert not Message.objects.filter(kind=Message.Kind.NOTE).exists()


@pytest.mark.django_db
def test_a_comparison_sign_is_text_not_markup(ticket, attendant):
    note = services.ticket_note_create(ticket=ticket, user=attendant, body="Valor < 10 e > 2")
    assert note.body == "Valor < 10 e > 2"


@pytest.mark.django_db
def test_only_attendants_who_may_reply_write_notes(ticket, attendant, attendant2, person):
    services.ticket_take(ticket=ticket, attendant=attendant)
    ticket.refresh_from_db()
    for user in (attendant2, person.user, UserFactory(username="staff-sem-grupo", is_staff=True)):
        assert not policy_decide(user=user, ticket=ticket, action=Action.NOTE)
        with pytest.raises(errors.NotAllowed):
            services.ticket_note_create(ticket=ticket, user=user, body="Nota de quem não pode.")
    # The colleague's page has no note form; a forged post is refused and saves nothing.
    colleague = login(Client(), attendant2)
    assert 'id="note-form"' not in colleague.get(ticket_url(ticket)).content.decode()
    assert colleague.post(note_url(ticket), {"note": "Nota forjada."}).status_code == 403
    assert 'id="note-form"' in login(Client(), attendant).get(ticket_url(ticket)).content.decode()
    assert not Message.objects.filter(kind=Message.Kind.NOTE).exists()


@pytest.mark.django_db
def test_the_attendants_page_shows_the_note_apart_and_the_requesters_page_never(noted, attendant_client, person_client):
    admin_page = attendant_client.get(ticket_url(noted)).content.decode()
    assert NOTE in admin_page
    assert 'class="note-label">Nota interna</span>' in admin_page and "msg-kind-note" in admin_page

    requester_page = person_client.get(reverse("chat-ticket", args=[noted.pk]))
    assert requester_page.status_code == 200
    page = requester_page.content.decode()
    assert "Bom dia! Vou verificar." in page
    assert NOTE not in page and "msg-kind-note" not in page and "Nota interna" not in page
    assert [m.kind for m in requester_page.context["dialog"]].count(Message.Kind.NOTE) == 0
    assert Message.Kind.NOTE in [m.kind for m in message_list(ticket=noted, include_notes=True)]
    assert Message.Kind.NOTE not in [m.kind for m in message_list(ticket=noted)]


@pytest.mark.django_db
def test_a_note_posted_from_the_admin_page_is_saved_and_shown(ticket, attendant_client):
    response = attendant_client.post(note_url(ticket), {"note": NOTE})
    assert response.status_code == 302
    assert Message.objects.get(kind=Message.Kind.NOTE).body == NOTE
    page = attendant_client.get(ticket_url(ticket)).content.decode()
    assert "Nota interna gravada. Só os atendentes a veem." in page and NOTE in page


@pytest.mark.django_db
def test_the_requesters_panel_and_meus_atendimentos_never_show_a_note(noted, person, person_client):
    for name in ("chat-panel", "chat-panel-page", "chat", "chat-new"):
        response = person_client.get(reverse(name))
        assert response.status_code == 200, name
        assert NOTE not in response.content.decode(), name
    assert [t.pk for t in ticket_panel_list(person=person)] == [noted.pk]


@pytest.mark.django_db
def test_a_note_lights_no_badge_and_no_unread_count(ticket, attendant, person):
    services.ticket_message_create(ticket=ticket, user=attendant, body="Resposta.")
    ticket.refresh_from_db()
    services.ticket_mark_read(ticket=ticket, user=person.user)
    assert ticket_unread_count(person_id=person.pk) == 0

    services.ticket_note_create(ticket=ticket, user=attendant, body=NOTE)

    fresh = Ticket.objects.get(pk=ticket.pk)
    assert not fresh.unread_for_requester and ticket_unread_count(person_id=person.pk) == 0
    # Opening the page afterwards reads up to the reply only: the note's id never becomes a read mark.
    services.ticket_mark_read(ticket=fresh, user=person.user)
    assert Ticket.objects.get(pk=ticket.pk).requester_read_id < Message.objects.get(kind=Message.Kind.NOTE).pk


@pytest.mark.django_db
def test_a_note_never_sends_a_reply_notice(ticket, attendant, settings):
    settings.REPLY_NOTICE_AFTER = 0
    services.ticket_take(ticket=ticket, attendant=attendant)
    services.ticket_note_create(ticket=Ticket.objects.get(pk=ticket.pk), user=attendant, body=NOTE)
    assert reply_notice_candidates(now=timezone.now() + timedelta(minutes=5)) == []


@pytest.mark.django_db
def test_the_privacy_export_json_and_page_never_hold_a_note(noted, person, person_client):
    data = person_data_export(person=person)
    texts = [message["texto"] for ticket in data["atendimentos"] for message in ticket["mensagens"]]
    assert "Bom dia! Vou verificar." in texts and NOTE not in texts
    assert "Nota interna" not in json.dumps(data, ensure_ascii=False)

    download = person_client.get("/privacidade/meus-dados.json")
    assert download.status_code == 200 and NOTE not in download.content.decode()
    page = person_client.get("/privacidade/meus-dados/")
    assert page.status_code == 200 and "Bom dia! Vou verificar." in page.content.decode()
    assert NOTE not in page.content.decode()


@pytest.mark.django_db
def test_the_admin_export_of_a_person_never_holds_a_note(noted, person):
    admin = UserFactory(username="ipm-admin", is_staff=True)
    for codename in ("export_person", "any_entity"):
        admin.user_permissions.add(Permission.objects.get(content_type__app_label="privacy", codename=codename))
    response = login(Client(), admin).post(
        "/admin/privacy/datasubject/", {"action": "export_action", "_selected_action": [person.pk]}
    )
    assert response.status_code == 200
    exported = json.dumps(json.loads(response.content), ensure_ascii=False)
    assert "Bom dia! Vou verificar." in exported and NOTE not in exported


@pytest.mark.django_db
def test_the_reports_csv_files_are_the_same_with_or_without_a_note(ticket, attendant):
    superuser = UserFactory(username="gestor", is_staff=True, is_superuser=True)
    client = login(Client(), superuser)
    today = timezone.localdate().isoformat()
    services.ticket_take(ticket=ticket, attendant=attendant)

    def csv_files() -> dict[str, str]:
        files = {}
        for slug in TABLES:
            response = client.get(f"/admin/relatorios/csv/{slug}/?inicio={today}&fim={today}")
            assert response.status_code == 200, slug
            files[slug] = response.content.decode()
        return files

    before = csv_files()
    services.ticket_note_create(ticket=Ticket.objects.get(pk=ticket.pk), user=attendant, body=NOTE)
    after = csv_files()
    assert after == before
    assert not any(NOTE in content for content in after.values())


@pytest.mark.django_db
def test_the_queue_row_previews_the_last_words_of_a_person_never_a_note(noted, attendant_client):
    """The queue is read by every attendant; the preview and whose turn come from what people wrote."""
    page = attendant_client.get(reverse("admin:tickets_ticket_changelist")).content.decode()
    assert "Bom dia! Vou verificar." in page
    assert NOTE[:40] not in page
