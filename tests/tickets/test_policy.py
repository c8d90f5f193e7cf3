"""The one policy (tickets/policy.py): each role × ticket state gets exactly the actions of the table, and the
services refuse with the same reason the page would hide the control for."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import AttendantFactory, UserFactory
from tickets import errors, services
from tickets.models import Status, Ticket
from tickets.policy import Action, policy_check, policy_decide, ticket_actions

pytestmark = pytest.mark.django_db

ALL = {action.value for action in Action}
HOLDER_OPEN = {"reply", "note", "transfer", "change_status", "conclude", "read"}
FREE = {"take", "reply", "note", "transfer", "change_status", "read"}

#: (role, state) -> the actions allowed. States: "free" (waiting, nobody holds it), "held" (Em Atendimento, the
#: holder's), "closed" (Concluído, was the holder's).
TABLE = {
    ("outsider", "free"): set(),
    ("outsider", "held"): set(),
    ("outsider", "closed"): set(),
    ("attendant", "free"): FREE,
    ("attendant", "held"): {"request_transfer"},
    ("attendant", "closed"): set(),
    ("holder", "held"): HOLDER_OPEN,
    ("holder", "closed"): {"read"},
    ("supervisor", "free"): FREE,
    ("supervisor", "held"): {"take_over"},
    ("supervisor", "closed"): set(),
    ("superuser", "held"): {"take_over", "transfer"},
    ("superuser", "closed"): set(),
}


@pytest.fixture
def holder(db):
    return AttendantFactory(username="holder", first_name="Helena", last_name="Holz")


@pytest.fixture
def users(holder, person):
    supervisor = AttendantFactory(username="supervisor", first_name="Sara", last_name="Visor")
    supervisor.user_permissions.add(Permission.objects.get(codename="take_over_ticket"))
    return {
        "outsider": person.user,
        "attendant": AttendantFactory(username="other", first_name="Otto", last_name="Outro"),
        "holder": holder,
        "supervisor": supervisor,
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
        "staff": UserFactory(username="staff", is_staff=True),
    }


def make_ticket(state: str, *, person, holder, open_ticket) -> Ticket:
    ticket = open_ticket(person)
    if state in ("held", "closed"):
        services.ticket_take(ticket=ticket, attendant=holder)
    if state == "closed":
        services.ticket_status_change(ticket=ticket, attendant=holder, status=Status.CONCLUIDO)
    return Ticket.objects.select_related("attendant").get(pk=ticket.pk)


@pytest.mark.parametrize(("role", "state"), sorted(TABLE))
def test_each_role_and_state_gets_exactly_the_actions_of_the_table(role, state, users, person, holder, open_ticket):
    ticket = make_ticket(state, person=person, holder=holder, open_ticket=open_ticket)
    user = users[role]
    decisions = ticket_actions(user=user, ticket=ticket)

    assert {name for name, decision in decisions.items() if decision} == TABLE[(role, state)]
    for name, decision in decisions.items():
        # Every refusal says why, in Portuguese, and is the error the service raises.
        assert decision.allowed or decision.reason
        if not decision.allowed:
            with pytest.raises(decision.error) as refused:
                policy_check(user=user, ticket=ticket, action=name)
            assert refused.value.message == decision.reason


def test_a_staff_member_who_is_not_an_attendant_may_do_nothing(users, person, holder, open_ticket):
    ticket = make_ticket("free", person=person, holder=holder, open_ticket=open_ticket)
    decisions = ticket_actions(user=users["staff"], ticket=ticket)
    assert not any(decisions.values())
    assert decisions["reply"].reason == "staff não é um atendente."


def test_the_reasons_name_the_holder(users, person, holder, open_ticket):
    ticket = make_ticket("held", person=person, holder=holder, open_ticket=open_ticket)
    other = users["attendant"]
    assert policy_decide(user=other, ticket=ticket, action=Action.REPLY).reason == errors.NOT_YOUR_TICKET.format(
        name="Helena Holz"
    )
    assert policy_decide(user=other, ticket=ticket, action=Action.TAKE).reason == errors.ALREADY_TAKEN.format(
        name="Helena Holz"
    )
    assert policy_decide(user=other, ticket=ticket, action=Action.TAKE_OVER).reason == (
        errors.TAKE_OVER_NOT_ALLOWED.format(name="Helena Holz")
    )
    closed = make_ticket("closed", person=person, holder=holder, open_ticket=open_ticket)
    refused = policy_decide(user=holder, ticket=closed, action=Action.REPLY)
    assert (refused.reason, refused.error) == (errors.TICKET_CLOSED, errors.TicketClosed)


def test_the_attendants_group_does_not_get_the_take_over_permission(users):
    assert not users["attendant"].has_perm("tickets.take_over_ticket")
    assert users["supervisor"].has_perm("tickets.take_over_ticket")


@pytest.mark.parametrize(
    ("service", "kwargs"),
    [
        (services.ticket_status_change, {"status": Status.AGUARDANDO_RETORNO}),
        (services.ticket_status_change, {"status": Status.CONCLUIDO}),
        (services.ticket_take, {}),
        (services.ticket_take_over, {}),
    ],
)
def test_the_services_refuse_what_the_policy_denies_and_save_nothing(
    service, kwargs, users, person, holder, open_ticket
):
    ticket = make_ticket("held", person=person, holder=holder, open_ticket=open_ticket)
    before = list(Ticket.objects.filter(pk=ticket.pk).values())
    messages = ticket.messages.count()
    with pytest.raises(errors.NotAllowed):
        service(ticket=ticket, attendant=users["attendant"], **kwargs)
    assert list(Ticket.objects.filter(pk=ticket.pk).values()) == before
    assert ticket.messages.count() == messages


def test_a_reply_by_another_attendant_is_refused_by_the_policy(users, person, holder, open_ticket):
    ticket = make_ticket("held", person=person, holder=holder, open_ticket=open_ticket)
    with pytest.raises(errors.NotAllowed) as refused:
        services.ticket_message_create(ticket=ticket, user=users["attendant"], body="Posso ajudar?")
    assert refused.value.message == errors.NOT_YOUR_TICKET.format(name="Helena Holz")
    assert ticket.messages.count() == 2  # the opening and the "assumido" line
