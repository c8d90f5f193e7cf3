"""Anonymising a person (LGPD art. 18 IV/VI): nothing identifies them afterwards, statistics stay, all or nothing.

Threat: after an anonymisation the person's name, CPF, e-mails or phones survive somewhere (a history
table, the admin's own log, a message quoting them, a stored file), or a run cut half-way leaves a
person half erased with orphan rows or files.
"""

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from attachments.models import Attachment
from csat.models import SatisfactionAnswer
from people.models import Contact, Person
from privacy import errors, services
from privacy.models import AccessLog, LegalHold, PendingFileDeletion, PersonAnonymisation
from routing.models import ReplyNotice
from tests.conftest import login
from tests.factories import PersonFactory, UserFactory
from tickets.models import Handoff, Message, Ticket

from .conftest import CPF, EMAIL, NAME, grant

#: Session, user, permissions, the counts, the rows (holds and anonymisation as EXISTS, entity joined), the
#: entity filter's choices: the same however many people.
DATA_SUBJECT_LIST_QUERIES = 9
TEXT_TYPES = {"character varying", "text", "character", "jsonb", "json"}


def text_columns() -> list[tuple[str, str]]:
    """Every text column of every table of the database (history tables included), from the catalogue."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
        rows = cursor.fetchall()
    tables = set(connection.introspection.table_names())
    return [(table, column) for table, column, kind in rows if table in tables and kind in TEXT_TYPES]


def database_hits(terms: list[str]) -> list[str]:
    hits = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            for term in terms:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608 (catalogue names)
                    [f"%{term}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column}: {term}")
    return hits


def file_hits(root: Path, terms: list[str]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            content = path.read_bytes().decode("utf-8", "replace").lower()
            hits += [f"{path.name}: {term}" for term in terms if term.lower() in content or term.lower() in path.name]
    return hits


@pytest.fixture
def admin_changed_the_person(subject, ipm_admin):
    """An administrator edited Maria in the admin: the admin log and the row history quote her."""
    superuser = UserFactory(username="root-lgpd", is_staff=True, is_superuser=True)
    client = login(Client(), superuser)
    person = subject.person
    contacts = list(person.contacts.order_by("id"))
    data = {
        "kind": "F", "name": NAME, "document": "", "entity": person.entity_id, "user": person.user_id,
        "country": "Brasil", "street": "Rua das Flores", "number": "10",
        "contacts-TOTAL_FORMS": str(len(contacts)), "contacts-INITIAL_FORMS": str(len(contacts)),
        "contacts-MIN_NUM_FORMS": "0", "contacts-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for index, contact in enumerate(contacts):
        data |= {
            f"contacts-{index}-id": contact.pk,
            f"contacts-{index}-person": person.pk,
            f"contacts-{index}-kind": contact.kind,
            f"contacts-{index}-value": contact.value,
        }
    response = client.post(f"/admin/people/person/{person.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.number == "10" and person.document == CPF  # the blank CPF field kept the number
    # Who changed whose data, and when: the access log, from the row history's author.
    entry = AccessLog.objects.get(action=AccessLog.Action.CHANGE, actor=superuser)
    assert (entry.person, entry.detail) == (person, "person:~")
    return superuser


@pytest.mark.django_db
def test_after_anonymising_no_table_and_no_file_holds_the_name_cpf_emails_or_phones(
    subject, ipm_admin, media_root, admin_changed_the_person, attendant, django_capture_on_commit_callbacks
):
    person = subject.person
    # She logs in with her password: the lockout log (django-axes) keeps her user name.
    response = Client().post("/accounts/login/", {"username": EMAIL, "password": "senha-de-teste"})
    assert response.status_code == 302
    # Beside her tickets, other apps keep free text: her satisfaction comment, a refused reply notice.
    first = subject.tickets[0]
    now = timezone.now()
    SatisfactionAnswer.objects.create(
        ticket=first, score=4, comment=f"Obrigada! {NAME}", via="chat", answered_at=now, changed_at=now
    )
    ReplyNotice.objects.create(ticket=first, window=1, reply_id=1, last_error=f"550 <{EMAIL}> recusado")
    # An attendant's hand-off note (issue 14) may name her.
    Handoff.objects.create(
        ticket=first,
        kind=Handoff.Kind.TRANSFER,
        by=attendant,
        to=attendant,
        note=f"{NAME} já mandou o XML.",
        created_at=now,
    )
    # Before: the search finds her everywhere, so it is able to find her.
    before = database_hits(subject.terms)
    assert any(hit.startswith("csat_satisfactionanswer.comment") for hit in before)
    assert any(hit.startswith("routing_replynotice.last_error") for hit in before)
    assert any(hit.startswith("tickets_handoff.note") for hit in before)
    assert any(hit.startswith("people_person.name") for hit in before)
    assert any(hit.startswith("privacy_historicalcontact") for hit in before)
    assert any(hit.startswith("django_admin_log") for hit in before)
    assert any(hit.startswith("tickets_message.body") for hit in before)
    assert any(hit.startswith("axes_accesslog.username") for hit in before)
    assert file_hits(media_root, subject.terms)
    counts = (Ticket.objects.count(), Message.objects.count())

    with django_capture_on_commit_callbacks(execute=True):
        services.person_anonymise(user=ipm_admin, person_id=person.pk)

    assert database_hits(subject.terms) == []
    assert file_hits(media_root, subject.terms) == []
    assert not [path for path in media_root.rglob("*") if path.is_file()]
    assert not Attachment.objects.filter(message__ticket__requester=person).exists()
    assert not PendingFileDeletion.objects.exists()
    # Statistics stay: the tickets and every message remain, with their times and statuses; the score too.
    assert SatisfactionAnswer.objects.get(ticket=first).score == 4
    assert (Ticket.objects.count(), Message.objects.count()) == counts
    person.refresh_from_db()
    assert person.name == f"Pessoa anonimizada {person.code}"
    assert person.document == "" and not Contact.objects.filter(person=person).exists()
    assert set(Message.objects.filter(ticket__requester=person, author_kind="requester").values_list(
        "author_name", flat=True
    )) == {person.name}  # fmt: skip
    # The attendant's own name stays (it is not the subject's data).
    assert Message.objects.filter(author=attendant).exclude(author_name="").exists()
    entry = AccessLog.objects.get(action=AccessLog.Action.ANONYMISE)
    assert entry.actor == ipm_admin and entry.person == person and entry.person_code == person.code


@pytest.mark.django_db
def test_anonymising_twice_changes_nothing_the_second_time_and_says_so(subject, ipm_admin):
    services.person_anonymise(user=ipm_admin, person_id=subject.person.pk)
    snapshot = list(Message.objects.order_by("id").values_list("author_name", "body"))

    with pytest.raises(errors.AlreadyAnonymised) as refused:
        services.person_anonymise(user=ipm_admin, person_id=subject.person.pk)

    assert refused.value.message.startswith("Esta pessoa já foi anonimizada em ")
    assert refused.value.message.endswith("; nada mais foi alterado.")
    assert list(Message.objects.order_by("id").values_list("author_name", "body")) == snapshot
    assert PersonAnonymisation.objects.count() == 1
    assert AccessLog.objects.filter(action=AccessLog.Action.ANONYMISE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_run_cut_half_way_leaves_everything_as_it_was_and_a_new_run_completes(
    subject, ipm_admin, media_root, monkeypatch
):
    """The crash comes after the messages, files, contacts and person were changed, inside the transaction."""
    person = subject.person
    files = sorted(str(path) for path in media_root.rglob("*") if path.is_file())
    bodies = list(Message.objects.order_by("id").values_list("author_name", "body"))

    def crash(person):
        raise RuntimeError("o processo caiu")

    monkeypatch.setattr(services, "_history_purge", crash)
    with pytest.raises(RuntimeError):
        services.person_anonymise(user=ipm_admin, person_id=person.pk)

    person.refresh_from_db()
    assert person.name == NAME and person.document == CPF
    assert Contact.objects.filter(person=person).count() == 3
    assert Attachment.objects.filter(message__ticket__requester=person).count() == 3
    assert sorted(str(path) for path in media_root.rglob("*") if path.is_file()) == files
    assert list(Message.objects.order_by("id").values_list("author_name", "body")) == bodies
    assert not PendingFileDeletion.objects.exists() and not PersonAnonymisation.objects.exists()
    assert not AccessLog.objects.filter(action=AccessLog.Action.ANONYMISE).exists()

    monkeypatch.undo()
    services.person_anonymise(user=ipm_admin, person_id=person.pk)
    person.refresh_from_db()
    assert person.name.startswith("Pessoa anonimizada")
    assert not [path for path in media_root.rglob("*") if path.is_file()]


@pytest.mark.django_db(transaction=True)
def test_files_whose_deletion_was_interrupted_are_deleted_by_the_sweep(subject, ipm_admin, media_root, monkeypatch):
    """The database committed, the process stopped before the files went: the pending rows finish the job."""
    from django.core.files.storage import default_storage

    def storage_down(name):
        raise OSError("disco indisponível")

    monkeypatch.setattr(default_storage, "delete", storage_down)
    services.person_anonymise(user=ipm_admin, person_id=subject.person.pk)
    assert PendingFileDeletion.objects.count() == 3
    assert len([path for path in media_root.rglob("*") if path.is_file()]) == 3

    monkeypatch.undo()
    assert services.file_deletions_sweep() == 3
    assert services.file_deletions_sweep() == 0
    assert not PendingFileDeletion.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


@pytest.mark.django_db
@pytest.mark.parametrize("on", ["person", "ticket"])
def test_a_legal_hold_on_the_person_or_a_ticket_refuses_export_and_anonymisation(subject, ipm_admin, on):
    target = {"person": subject.person} if on == "person" else {"ticket": subject.tickets[0]}
    LegalHold.objects.create(reason="Processo judicial 123", **target)

    for call in (
        lambda: services.person_anonymise(user=ipm_admin, person_id=subject.person.pk),
        lambda: services.person_export(user=ipm_admin, people=[subject.person]),
    ):
        with pytest.raises(errors.UnderLegalHold) as refused:
            call()
        assert refused.value.message == (
            f"Os dados de {NAME} estão sob retenção legal (na pessoa ou em um dos seus atendimentos): "
            "não podem ser exportados nem anonimizados enquanto a retenção existir. Nada foi alterado."
        )
    subject.person.refresh_from_db()
    assert subject.person.name == NAME and subject.person.contacts.count() == 3
    assert not AccessLog.objects.filter(action__in=["export", "anonymise"]).exists()


@pytest.mark.django_db
def test_an_administrator_of_another_entity_without_the_right_is_refused(subject):
    other = PersonFactory(name="ADMIN DE OUTRA ENTIDADE")  # another entity
    user = grant(other.user, "export_person", "anonymise_person")

    with pytest.raises(errors.NotAllowed) as refused:
        services.person_anonymise(user=user, person_id=subject.person.pk)
    assert refused.value.message == (
        "Você não tem permissão para exportar ou anonimizar pessoas da entidade "
        "Prefeitura Municipal de Rio do Sul. Nada foi alterado."
    )
    with pytest.raises(errors.NotAllowed):
        services.person_export(user=user, people=[subject.person])
    assert Person.objects.get(pk=subject.person.pk).name == NAME


@pytest.mark.django_db
def test_an_administrator_of_the_same_entity_may_without_the_any_entity_right(subject, entity):
    local_admin = PersonFactory(entity=entity, name="ADMIN DA PREFEITURA")
    user = grant(local_admin.user, "export_person")
    (exported,) = services.person_export(user=user, people=[subject.person])
    assert exported["cadastro"]["nome"] == NAME


@pytest.mark.django_db
def test_the_admin_action_asks_for_confirmation_then_anonymises(subject, ipm_admin_client, media_root):
    url = "/admin/privacy/datasubject/"
    data = {"action": "anonymise_action", "_selected_action": [subject.person.pk]}

    confirm = ipm_admin_client.post(url, data)
    assert confirm.status_code == 200
    assert "A anonimização não pode ser desfeita." in confirm.content.decode()
    assert Person.objects.get(pk=subject.person.pk).name == NAME

    done = ipm_admin_client.post(url, {**data, "confirm": "sim"}, follow=True)
    assert "1 pessoa anonimizada." in done.content.decode()
    assert Person.objects.get(pk=subject.person.pk).name.startswith("Pessoa anonimizada")

    again = ipm_admin_client.post(url, {**data, "confirm": "sim"}, follow=True)
    assert "já foi anonimizada em" in again.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("others", [0, 12])
def test_the_data_subject_list_shows_the_cpf_masked_at_a_fixed_cost(
    subject, ipm_admin_client, others, django_assert_num_queries
):
    PersonFactory.create_batch(others)
    ipm_admin_client.get("/admin/privacy/datasubject/")
    with django_assert_num_queries(DATA_SUBJECT_LIST_QUERIES):
        response = ipm_admin_client.get("/admin/privacy/datasubject/")
    page = response.content.decode()
    assert "***.982.247-**" in page and "529.982.247-25" not in page and CPF not in page
