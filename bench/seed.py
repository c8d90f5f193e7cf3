"""Synthetic data for the bench, loaded fast: bulk_create for the small tables, COPY for tickets and messages.

Runs in a process whose Django settings point at the bench database (see config.process_env); it
empties the application tables first, so every run starts from the same data. Returns the "plan":
the ids and session keys the load client needs.
"""

import enum
import random
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models
from django.utils import timezone
from validate_docbr import CNPJ

from csat.models import SatisfactionAnswer
from people.models import Contact, Entity, Person
from reports.permissions import MANAGERS_GROUP
from tickets.models import Message, Module, Status, Ticket
from tickets.selectors import ATTENDANTS_GROUP

from .config import Sizes

APP_LABELS = ("people", "tickets", "attachments", "csat")
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _truncate() -> None:
    from django.apps import apps

    tables = [
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in APP_LABELS and model._meta.managed and not model._meta.proxy
    ]
    tables.append(get_user_model()._meta.db_table)
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        tables.append("django_session")
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")  # noqa: S608 (our table names)


def _value(field: models.Field, row: dict, now):
    if field.attname in row:
        value = row[field.attname]
    elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = now
    elif field.has_default():
        value = field.get_default()
    elif field.null:
        value = None
    else:
        raise ValueError(f"{field.model.__name__}.{field.attname} needs a value for COPY")
    if isinstance(field, models.JSONField) and value is not None:
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value.value if isinstance(value, enum.Enum) else value


def copy_rows(model: type[models.Model], rows: list[dict]) -> int:
    """COPY rows (dicts by attname, ids included) into the model's table; unnamed fields get their default."""
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_value(field, row, now) for field in fields])
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))",  # noqa: S608
            [model._meta.db_table],
        )
    return len(rows)


def _sessions(user_ids: list[int], users: dict[int, object]) -> dict[int, str]:
    """A logged-in session per user, written straight to the session store (no login round trip)."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {}
    for user_id in user_ids:
        user = users[user_id]
        store = store_class()
        store[SESSION_KEY] = str(user_id)
        store[BACKEND_SESSION_KEY] = MODEL_BACKEND
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.set_expiry(86400)
        store.create()
        keys[user_id] = store.session_key
    return keys


class _Ids:
    def __init__(self) -> None:
        self.ticket = 0
        self.message = 0

    def next_ticket(self) -> int:
        self.ticket += 1
        return self.ticket

    def next_message(self) -> int:
        self.message += 1
        return self.message


def seed(sizes: Sizes, *, rng_seed: int = 9) -> dict:
    rng = random.Random(rng_seed)
    now = timezone.now()
    User = get_user_model()
    _truncate()

    cnpj = CNPJ()
    cnpjs: set[str] = set()
    while len(cnpjs) < sizes.entities:
        cnpjs.add(cnpj.generate())
    entities = Entity.objects.bulk_create(
        Entity(name=f"Prefeitura Municipal Bench {i}", cnpj=value, online_chat_enabled=True)
        for i, value in enumerate(sorted(cnpjs))
    )
    modules = Module.objects.bulk_create(
        [Module(name="Nota Fiscal Eletrônica Web")] + [Module(name=f"Módulo Bench {i}") for i in range(9)]
    )

    unusable = make_password(None)
    attendants = User.objects.bulk_create(
        User(
            username=f"bench_att_{i}", first_name="Atendente", last_name=f"Bench {i}", is_staff=True, password=unusable
        )
        for i in range(sizes.attendants)
    )
    group = Group.objects.get(name=ATTENDANTS_GROUP)
    User.groups.through.objects.bulk_create(User.groups.through(user_id=u.pk, group_id=group.pk) for u in attendants)
    staff_users = User.objects.bulk_create(
        User(username=f"bench_staff_{i}", password=unusable) for i in range(sizes.sockets)
    )
    heavy_user = User.objects.create(username="bench_heavy", password=unusable)
    manager = User.objects.create(username="bench_gestor", is_staff=True, password=unusable)
    manager.groups.add(Group.objects.get(name=MANAGERS_GROUP))

    code = 200000
    people: list[Person] = []
    for i, user in enumerate(staff_users):
        code += 1
        people.append(Person(code=code, name=f"SERVIDOR BENCH {i}", entity=entities[i % len(entities)], user=user))
    code += 1
    people.append(Person(code=code, name="SERVIDORA COM 2000 ATENDIMENTOS", entity=entities[0], user=heavy_user))
    for i in range(sizes.filler_people):
        code += 1
        people.append(Person(code=code, name=f"PESSOA BENCH {i}", entity=entities[i % len(entities)]))
    people = Person.objects.bulk_create(people, batch_size=2000)
    staff_people, heavy, filler = people[: sizes.sockets], people[sizes.sockets], people[sizes.sockets + 1 :]
    Contact.objects.bulk_create(
        [
            contact
            for person in [*staff_people, heavy]
            for contact in (
                Contact(person=person, kind=Contact.Kind.EMAIL, value=f"pessoa{person.pk}@prefeitura.sc.gov.br"),
                Contact(person=person, kind=Contact.Kind.PHONE, value="(47) 3531-1500"),
            )
        ],
        batch_size=5000,
    )

    ids = _Ids()
    tickets: list[dict] = []
    messages: list[dict] = []

    def add_ticket(person: Person, *, status: str, attendant, opened_at, n_messages: int, unread: bool = False) -> dict:
        ticket = {
            "id": ids.next_ticket(),
            "requester_id": person.pk,
            "entity_id": person.entity_id,
            "module_id": modules[len(tickets) % len(modules)].pk,
            "channel": "online",
            "priority": 0,
            "status": status,
            "attendant_id": attendant.pk if attendant else None,
            "opened_at": opened_at,
            "taken_at": opened_at + timedelta(minutes=2) if attendant else None,
            "first_response_at": opened_at + timedelta(minutes=3) if attendant and n_messages > 1 else None,
            "closed_at": opened_at + timedelta(hours=1) if status in (Status.CONCLUIDO, Status.CANCELADO) else None,
        }
        last_req = last_att = 0
        for m in range(n_messages):
            from_attendant = attendant is not None and m % 2 == 1
            message_id = ids.next_message()
            messages.append(
                {
                    "id": message_id,
                    "ticket_id": ticket["id"],
                    "author_kind": Message.Author.ATTENDANT if from_attendant else Message.Author.REQUESTER,
                    "kind": Message.Kind.OPENING if m == 0 else Message.Kind.TEXT,
                    "author_id": attendant.pk if from_attendant else person.user_id,
                    "author_name": f"{attendant.first_name} {attendant.last_name}" if from_attendant else person.name,
                    "body": "Boa tarde, podem por favor me auxiliar?" if m == 0 else f"Mensagem de bench número {m}.",
                    "created_at": opened_at + timedelta(minutes=m),
                }
            )
            if from_attendant:
                last_att = message_id
            else:
                last_req = message_id
        ticket.update(
            last_attendant_message_id=last_att,
            last_requester_message_id=last_req,
            requester_read_id=last_req if unread else max(last_req, last_att),
            attendant_read_id=max(last_req, last_att),
        )
        tickets.append(ticket)
        return ticket

    badge_attendant = attendants[0]
    sockets = []
    for person in staff_people:
        ticket = add_ticket(
            person,
            status=Status.EM_ATENDIMENTO,
            attendant=badge_attendant,
            opened_at=now - timedelta(minutes=30),
            n_messages=2,
        )
        sockets.append({"person_id": person.pk, "user_id": person.user_id, "ticket_id": ticket["id"]})

    writers = max(1, sizes.chat_writers)
    conversations = []
    for k in range(sizes.conversations):
        person = staff_people[k % len(staff_people)]
        attendant = attendants[1 + k % writers]
        ticket = add_ticket(
            person,
            status=Status.EM_ATENDIMENTO,
            attendant=attendant,
            opened_at=now - timedelta(minutes=20),
            n_messages=2,
        )
        conversations.append({"ticket_id": ticket["id"], "user_id": person.user_id, "attendant_id": attendant.pk})

    heavy_ticket = None
    for i in range(sizes.heavy_tickets):
        opened_at = now - timedelta(hours=sizes.heavy_tickets - i)
        recent = i >= sizes.heavy_tickets - 10
        attendant = attendants[i % len(attendants)]
        if recent:
            status = rng.choice([Status.EM_ATENDIMENTO, Status.AGUARDANDO_RETORNO, Status.NAO_INICIADO])
        else:
            status = rng.choice([Status.CONCLUIDO, Status.CONCLUIDO, Status.CANCELADO])
        if status == Status.NAO_INICIADO:
            attendant = None
        last = i == sizes.heavy_tickets - 1
        ticket = add_ticket(
            heavy,
            status=Status.EM_ATENDIMENTO if last else status,
            attendant=attendants[0] if last else attendant,
            opened_at=opened_at,
            n_messages=sizes.heavy_messages if last else 2,
            unread=recent and i % 3 == 0,
        )
        heavy_ticket = ticket

    remaining = max(0, sizes.tickets - len(tickets))
    answers: list[dict] = []
    for i in range(remaining):
        person = filler[i % len(filler)] if filler else heavy
        roll = rng.random()
        opened_at = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))
        if roll < 0.05:
            add_ticket(person, status=Status.NAO_INICIADO, attendant=None, opened_at=opened_at, n_messages=1)
        elif roll < 0.15:
            attendant = attendants[rng.randrange(len(attendants))]
            add_ticket(person, status=Status.EM_ATENDIMENTO, attendant=attendant, opened_at=opened_at, n_messages=2)
        else:
            attendant = attendants[rng.randrange(len(attendants))]
            ticket = add_ticket(person, status=Status.CONCLUIDO, attendant=attendant, opened_at=opened_at, n_messages=2)
            # Spread times, off-line openings and satisfaction answers: the reports sort and count real spreads.
            ticket["first_response_at"] = opened_at + timedelta(minutes=rng.randint(1, 240))
            ticket["closed_at"] = opened_at + timedelta(minutes=rng.randint(241, 3000))
            ticket["opened_offline"] = rng.random() < 0.1
            if rng.random() < 0.3:
                answers.append(
                    {
                        "id": len(answers) + 1,
                        "ticket_id": ticket["id"],
                        "score": rng.randint(1, 5),
                        "comment": "",
                        "via": "email",
                        "answered_at": ticket["closed_at"],
                        "changed_at": ticket["closed_at"],
                    }
                )

    copy_rows(Ticket, tickets)
    copy_rows(Message, messages)
    copy_rows(SatisfactionAnswer, answers)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    users = {u.pk: u for u in [*attendants, *staff_users, heavy_user, manager]}
    sessions = _sessions(list(users), users)
    last_ids = {t["id"]: max(t["last_attendant_message_id"], t["last_requester_message_id"]) for t in tickets}
    for item in sockets:
        item["session"] = sessions[item["user_id"]]
        item["last_message_id"] = last_ids[item["ticket_id"]]
    for item in conversations:
        item["session"] = sessions[item["user_id"]]
        item["last_message_id"] = last_ids[item["ticket_id"]]
    admin_attendant = attendants[-1]
    return {
        "badge_attendant_id": badge_attendant.pk,
        "badge_attendant_session": sessions[badge_attendant.pk],
        "sockets": sockets,
        "conversations": conversations,
        "heavy": {
            "person_id": heavy.pk,
            "user_id": heavy_user.pk,
            "session": sessions[heavy_user.pk],
            "ticket_id": heavy_ticket["id"] if heavy_ticket else None,
            "tickets": sizes.heavy_tickets,
        },
        "admin": {"user_id": admin_attendant.pk, "session": sessions[admin_attendant.pk]},
        "manager": {"user_id": manager.pk, "session": sessions[manager.pk]},
        "counts": {
            "tickets": len(tickets),
            "messages": len(messages),
            "people": len(people),
            "users": len(users),
        },
    }
