"""Writes about people: the registration page, contacts and their verification, the contact gate."""

import logging
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.mail.handler import DEFAULT_MAILER_ALIAS
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import errors
from .errors import DOCUMENT_TAKEN, ContactsMissing
from .models import Contact, Person, UserPreference
from .selectors import person_has_required_contacts
from .verification import email_verification_read, email_verification_token

logger = logging.getLogger(__name__)

VERIFICATION_TEMPLATE = "emails/email_verification"
#: A person may ask for a new link for the same address at most once in this many seconds.
RESEND_COOLDOWN = 60


def person_check_contacts(*, person: Person) -> None:
    """The gate the chat calls before anything else (S5). An unconfirmed e-mail counts here."""
    if not person_has_required_contacts(person=person):
        raise ContactsMissing()


def contact_limit(kind: str) -> tuple[int, str]:
    if kind == Contact.Kind.EMAIL:
        return settings.CONTACT_MAX_EMAILS, errors.TOO_MANY_EMAILS
    return settings.CONTACT_MAX_PHONES, errors.TOO_MANY_PHONES


@transaction.atomic
def contact_add(*, person: Person, kind: str, value: str, base_url: str = "") -> Contact:
    """Add a contact (idempotent). A new e-mail address gets a verification link after the commit."""
    contact = Contact(person=person, kind=kind, value=value)
    contact.full_clean(exclude=["person"], validate_unique=False)
    existing = Contact.objects.filter(person=person, kind=contact.kind, value=contact.value).first()
    if existing:
        return existing
    limit, message = contact_limit(contact.kind)
    # The person's row serialises concurrent additions, so two requests cannot both pass the count.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if Contact.objects.filter(person=person, kind=contact.kind).count() >= limit:
        raise ValidationError({"value": message.format(limit=limit)})
    contact.save()
    if contact.is_email and base_url:
        transaction.on_commit(partial(email_verification_send, contact_id=contact.pk, base_url=base_url), robust=True)
    return contact


@transaction.atomic
def person_update_registration(
    *, person: Person, data: dict[str, str], new_email: str = "", new_phone: str = "", base_url: str = ""
) -> Person:
    """Save the fields of "Cadastro de pessoa" and add the contacts given, all or nothing."""
    previous_document = person.document
    for field, value in data.items():
        setattr(person, field, value)
    person.full_clean(exclude=["user", "entity", "code"])
    # Identity: a document registered to somebody else cannot be claimed here (IPM fixes real mix-ups).
    if person.document and person.document != previous_document:
        if Person.objects.filter(document=person.document).exclude(pk=person.pk).exists():
            raise ValidationError({"document": DOCUMENT_TAKEN})
    person.save()
    for field, kind, value in (
        ("new_email", Contact.Kind.EMAIL, new_email),
        ("new_phone", Contact.Kind.PHONE, new_phone),
    ):
        if not value:
            continue
        try:
            contact_add(person=person, kind=kind, value=value, base_url=base_url)
        except ValidationError as error:
            raise ValidationError({field: error.message_dict.get("value", error.messages)}) from None
    return person


def email_verification_link(*, contact: Contact, base_url: str) -> str:
    token = email_verification_token(contact_id=contact.pk, address=contact.value)
    return base_url.rstrip("/") + reverse("email-confirm", args=[token])


def email_verification_send(*, contact_id: int, base_url: str) -> bool:
    """Send the verification link of an unconfirmed e-mail address; False when there is nothing to send.

    Runs after the commit that added the address (or on "Reenviar"). A failure is logged, never raised
    into the request: the address simply stays "não confirmado" and the person can ask again.
    """
    contact = Contact.objects.select_related("person").filter(pk=contact_id, kind=Contact.Kind.EMAIL).first()
    if contact is None or contact.is_confirmed:
        return False
    context = {
        "person": contact.person,
        "address": contact.value,
        "link": email_verification_link(contact=contact, base_url=base_url),
        "days": max(settings.EMAIL_VERIFICATION_MAX_AGE // 86400, 1),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{VERIFICATION_TEMPLATE}.subject.txt", context).split())
        text = render_to_string(f"{VERIFICATION_TEMPLATE}.txt", context)
        html = render_to_string(f"{VERIFICATION_TEMPLATE}.html", context)
    email = EmailMultiAlternatives(
        subject=subject, body=text, to=[contact.value], headers={"Auto-Submitted": "auto-generated"}
    )
    email.attach_alternative(html, "text/html")
    try:
        email.send(using=DEFAULT_MAILER_ALIAS)
    except Exception:
        logger.exception("Verification e-mail for contact %s not sent", contact_id)
        return False
    try:
        cache.set(_resend_key(contact_id), True, timeout=RESEND_COOLDOWN)
    except Exception:
        logger.warning("Resend cooldown of contact %s not recorded: the cache is unavailable", contact_id)
    return True


def _resend_key(contact_id: int) -> str:
    return f"email-verification:resend:{contact_id}"


def email_verification_resend(*, person: Person, contact_id: int | str, base_url: str) -> Contact:
    """ "Reenviar link": only for the person's own unconfirmed address, at most once a minute."""
    try:
        contact = person.contacts.get(pk=int(contact_id), kind=Contact.Kind.EMAIL)
    except (Contact.DoesNotExist, TypeError, ValueError, OverflowError):
        raise errors.VerificationRefused(errors.VERIFICATION_NOT_FOUND) from None
    if contact.is_confirmed:
        raise errors.VerificationRefused(errors.ALREADY_CONFIRMED.format(address=contact.value))
    try:
        recent = cache.get(_resend_key(contact.pk))
    except Exception:
        recent = False  # the cache is down: sending a link twice costs little
    if recent:
        raise errors.VerificationRefused(errors.RESEND_TOO_SOON)
    email_verification_send(contact_id=contact.pk, base_url=base_url)
    return contact


def email_confirm(*, token: str) -> Contact:
    """Mark the address of a verification link confirmed; refuse expired, forged or outdated links."""
    try:
        contact_id, address = email_verification_read(token)
    except signing.SignatureExpired:
        raise errors.VerificationRefused(errors.LINK_EXPIRED) from None
    except signing.BadSignature:
        raise errors.VerificationRefused(errors.LINK_INVALID) from None
    with transaction.atomic():
        contact = (
            Contact.objects.select_for_update().filter(pk=contact_id, kind=Contact.Kind.EMAIL, value=address).first()
        )
        if contact is None:
            raise errors.VerificationRefused(errors.LINK_INVALID)
        if contact.confirmed_at is None:
            contact.confirmed_at = timezone.now()
            contact.save(update_fields=["confirmed_at"])
    return contact


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
