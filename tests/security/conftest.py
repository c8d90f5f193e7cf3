"""A small world for the security tests: one requester's ticket, file and data, and everyone who must not see them."""

from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from attendance.models import OptionalHoliday, SpecialDay
from people.models import Contact, Person
from privacy.models import AccessLog as PrivacyLog
from privacy.models import EntityRetention, LegalHold
from routing.models import AttendantState
from tests.conftest import login
from tests.factories import AttendantFactory, EntityFactory, PersonFactory, UserFactory
from tickets import services
from tickets.models import AttendancePeriod, CannedReply, QueueSettings, Ticket, TranscriptOutbox
from tickets.permissions import ATTENDANTS_GROUP

#: Who asks, in the order the tables list their answers.
ROLES = ("anonymous", "owner", "colleague", "foreign", "attendant", "staff")

#: Text that only the owner (and the attendants) may ever read.
SECRET_REASON = "Minha senha do ISS é SEGREDO-7f3a"
SECRET_FILE = "segredo-7f3a.txt"


@dataclass
class World:
    owner: Person
    colleague: Person
    foreign: Person
    attendant: object
    staff: object
    ticket: Ticket
    concluded: Ticket
    attachment_id: int
    objects: dict[str, int] = field(default_factory=dict)

    def user(self, role: str):
        return {
            "anonymous": None,
            "owner": self.owner.user,
            "colleague": self.colleague.user,
            "foreign": self.foreign.user,
            "attendant": self.attendant,
            "staff": self.staff,
        }[role]

    def client(self, role: str) -> Client:
        user = self.user(role)
        return Client() if user is None else login(Client(), user)

    def secrets(self) -> list[str]:
        """What would show that a page leaked the owner's ticket, file or person data."""
        email = self.owner.contacts.get(kind=Contact.Kind.EMAIL).value
        return [SECRET_REASON, "SEGREDO-7f3a", SECRET_FILE, self.owner.document, self.owner.document_display, email]


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def world(db, media_root, module) -> World:
    entity = EntityFactory(name="Prefeitura Municipal de Rio do Sul")
    owner = PersonFactory(entity=entity, name="HAUANA ANDRADE NEGHERBON")
    colleague = PersonFactory(entity=entity, name="OUTRO SERVIDOR")
    foreign = PersonFactory(name="SERVIDOR DE OUTRA ENTIDADE")
    attendant = AttendantFactory(username="ana", first_name="Ana Paula", last_name="Schmitt")
    staff = UserFactory(username="equipe-sem-grupo", is_staff=True)
    upload = SimpleUploadedFile(SECRET_FILE, b"conteudo do anexo\n", content_type="text/plain")
    ticket = services.ticket_open(requester=owner, module_id=module.pk, reason=SECRET_REASON, files=[upload])
    concluded = services.ticket_open(requester=owner, module_id=module.pk, reason="Outro assunto SEGREDO-7f3a")
    services.ticket_conclude_by_requester(ticket=concluded, user=owner.user)
    period = AttendancePeriod.objects.create(weekday=0, starts_at="08:00", ends_at="18:00")
    special = SpecialDay.objects.create(description="Recesso", starts_on="2030-12-24", ends_on="2030-12-31")
    attachment = ticket.messages.get(kind="files").attachments.get()
    AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", failures_since_start=1)
    AccessLog.objects.create(username="x", ip_address="10.0.0.1")
    AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1")
    hold = LegalHold.objects.create(person=colleague, reason="Processo")
    retention = EntityRetention.objects.create(entity=entity)
    access = PrivacyLog.objects.create(at=timezone.now(), action=PrivacyLog.Action.VIEW, person=owner)
    objects = {
        "auth/group": Group.objects.get(name=ATTENDANTS_GROUP).pk,
        "auth/user": owner.user.pk,
        "axes/accessattempt": AccessAttempt.objects.get().pk,
        "axes/accesslog": AccessLog.objects.get().pk,
        "axes/accessfailurelog": AccessFailureLog.objects.get().pk,
        "people/entity": entity.pk,
        "people/person": owner.pk,
        "tickets/transcriptoutbox": TranscriptOutbox.objects.get(ticket=concluded).pk,
        "tickets/module": module.pk,
        "tickets/attendanceperiod": period.pk,
        "tickets/queuesettings": QueueSettings.objects.create().pk,
        "tickets/cannedreply": CannedReply.objects.create(title="Saudação", body="Bom dia, {nome}!").pk,
        "attendance/optionalholiday": OptionalHoliday.objects.get_or_create(name="Carnaval")[0].pk,
        "attendance/specialday": special.pk,
        "tickets/ticket": ticket.pk,
        "routing/attendantstate": AttendantState.objects.create(user=attendant, capacity=2).pk,
        "privacy/accesslog": access.pk,
        "privacy/legalhold": hold.pk,
        "privacy/entityretention": retention.pk,
        "privacy/datasubject": owner.pk,
    }
    return World(owner, colleague, foreign, attendant, staff, ticket, concluded, attachment.pk, objects)
