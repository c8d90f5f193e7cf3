"""Writes about people: the registration page, contacts, the contact gate."""

from django.db import transaction

from .errors import ContactsMissing
from .models import Contact, Person, UserPreference
from .selectors import person_has_required_contacts


def person_check_contacts(*, person: Person) -> None:
    """The gate the chat calls before anything else (S5)."""
    if not person_has_required_contacts(person=person):
        raise ContactsMissing()


def contact_add(*, person: Person, kind: str, value: str) -> Contact:
    contact = Contact(person=person, kind=kind, value=value)
    contact.full_clean(exclude=["person"], validate_unique=False)
    existing = Contact.objects.filter(person=person, kind=contact.kind, value=contact.value).first()
    if existing:
        return existing
    contact.save()
    return contact


@transaction.atomic
def person_update_registration(
    *, person: Person, data: dict[str, str], new_email: str = "", new_phone: str = ""
) -> Person:
    """Save the fields of "Cadastro de pessoa" and add the contacts given, all or nothing."""
    for field, value in data.items():
        setattr(person, field, value)
    person.full_clean(exclude=["user", "entity", "code"])
    person.save()
    if new_email:
        contact_add(person=person, kind=Contact.Kind.EMAIL, value=new_email)
    if new_phone:
        contact_add(person=person, kind=Contact.Kind.PHONE, value=new_phone)
    return person


def person_next_code() -> int:
    last = Person.objects.order_by("-code").values_list("code", flat=True).first()
    return (last or 193600) + 1


@transaction.atomic
def person_create(
    *, entity, name: str, kind: str = Person.Kind.FISICA, document: str = "", user=None, **address
) -> Person:
    person = Person(entity=entity, name=name, kind=kind, document=document, user=user, **address)
    person.code = person_next_code()
    person.full_clean()
    person.save()
    return person


def user_language_set(*, user, language: str) -> UserPreference:
    """Keep the language a user chose on their account (the switch on every page)."""
    preference, _ = UserPreference.objects.update_or_create(user=user, defaults={"language": language})
    return preference
