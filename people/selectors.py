"""Reads about people: who the logged user is, whether they may use the chat."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import Contact, Person, UserPreference


def person_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Person | None:
    """The person a logged-in user acts as, with the entity, or None."""
    if not user.is_authenticated:
        return None
    return Person.objects.select_related("entity").filter(user=user).first()


def person_chat_enabled(*, person: Person | None) -> bool:
    """S2: the icon and every chat URL exist only for people whose entity has the chat on."""
    return person is not None and person.entity.online_chat_enabled


def person_has_required_contacts(*, person: Person) -> bool:
    """S5: at least one e-mail address AND one phone number."""
    kinds = set(person.contacts.order_by().values_list("kind", flat=True).distinct())
    return {Contact.Kind.EMAIL, Contact.Kind.PHONE} <= kinds


def person_emails(*, person: Person, confirmed_only: bool = False) -> list[str]:
    """The person's e-mail addresses; with confirmed_only, those proved by a verification link."""
    contacts = person.contacts.filter(kind=Contact.Kind.EMAIL)
    if confirmed_only:
        contacts = contacts.filter(confirmed_at__isnull=False)
    return list(contacts.values_list("value", flat=True))


def user_language(*, user: AbstractBaseUser) -> str | None:
    """The language the user chose on their account (people.UserPreference), or None if they never chose."""
    return UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
