"""Demo data: two entities, ERP modules, and the demo users (password = user name). Idempotent.

Demo users have known passwords: the command refuses to run with DEBUG off unless the environment
says ALLOW_DEMO_DATA=true on purpose (the e2e stack, the demo compose override). Production sets neither.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import Contact, Entity, Person
from people.services import person_next_code
from tickets.models import Module
from tickets.permissions import attendants_group_ensure

MODULES = [
    "Nota Fiscal Eletrônica Web",
    "Cadastros Únicos",
    "Tributos",
    "Folha de Pagamento",
    "Protocolo",
    "Contabilidade",
    "Compras e Licitações",
]

ENTITIES = {
    "riodosul": ("Prefeitura Municipal de Rio do Sul", "83102855000150", True),
    "semchat": ("Prefeitura Municipal de Ituporanga", "83102509000172", False),
}

PEOPLE = [
    # username, entity, name, CPF, e-mail, phone
    (
        "servidor",
        "riodosul",
        "HAUANA ANDRADE NEGHERBON",
        "52998224725",
        "servidor@riodosul.sc.gov.br",
        "(47) 3531-1200",
    ),
    ("incompleto", "riodosul", "CARLOS EDUARDO PEREIRA", "11144477735", "", ""),
    ("semchat", "semchat", "MARIA DA SILVA SOUZA", "39053344705", "maria@ituporanga.sc.gov.br", "(47) 3533-1122"),
]

ATTENDANTS = [
    ("atendente", "Ana Paula", "Schmitt"),
    ("atendente2", "Bruno", "Kowalski"),
]


REFUSED_IN_PRODUCTION = _(
    "seed_demo cria usuários com senhas conhecidas e só roda com DEBUG=true. "
    "Para uma demonstração ou testes com DEBUG=false, defina ALLOW_DEMO_DATA=true (nunca em produção)."
)


class Command(BaseCommand):
    help = "Cria (ou atualiza) os dados de demonstração. Pode ser executado várias vezes."

    def handle(self, *args, **options) -> None:
        if not (settings.DEBUG or settings.ALLOW_DEMO_DATA):
            raise CommandError(str(REFUSED_IN_PRODUCTION))
        self._seed()

    @transaction.atomic
    def _seed(self) -> None:
        User = get_user_model()
        for name in MODULES:
            Module.objects.get_or_create(name=name)
        entities = {}
        for key, (name, cnpj, enabled) in ENTITIES.items():
            entities[key], _ = Entity.objects.update_or_create(
                cnpj=cnpj, defaults={"name": name, "online_chat_enabled": enabled}
            )
        for username, entity_key, name, cpf, email, phone in PEOPLE:
            user = self._user(User, username)
            person = Person.objects.filter(user=user).first()
            if person is None:
                person = Person(user=user, code=person_next_code())
            person.entity = entities[entity_key]
            person.name = name
            person.kind = Person.Kind.FISICA
            person.document = cpf
            person.cep, person.country, person.state = "89160-000", "Brasil", "SC"
            person.city, person.district = "Rio do Sul", "Centro"
            person.street, person.number = "Rua XV de Novembro", "1000"
            person.full_clean()
            person.save()
            if email:
                # Demo addresses count as confirmed, so the demo's transcripts are sent (var/mail/, Mailpit).
                contact, _created = Contact.objects.get_or_create(person=person, kind=Contact.Kind.EMAIL, value=email)
                if contact.confirmed_at is None:
                    contact.confirmed_at = timezone.now()
                    contact.save(update_fields=["confirmed_at"])
            if phone:
                Contact.objects.get_or_create(person=person, kind=Contact.Kind.PHONE, value=phone)
        group = attendants_group_ensure(Group, Permission)
        for username, first, last in ATTENDANTS:
            user = self._user(User, username, is_staff=True, first_name=first, last_name=last)
            user.groups.add(group)
        self._user(User, "admin", is_staff=True, is_superuser=True, first_name="Administrador", last_name="IPM")
        self.stdout.write(self.style.SUCCESS("Dados de demonstração prontos."))

    def _user(self, User, username: str, **fields):
        user, created = User.objects.get_or_create(username=username, defaults=fields)
        for field, value in fields.items():
            setattr(user, field, value)
        if created or not user.has_usable_password():
            user.set_password(username)
        user.save()
        return user
