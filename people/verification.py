"""E-mail verification links: signed (django.core.signing), expiring, bound to the contact row and address.

The token carries the contact's id and the address it was sent to, signed with SECRET_KEY and a
salt of its own, with the time of signing. It is valid for EMAIL_VERIFICATION_MAX_AGE seconds and
only while the row still holds that address: a changed or removed address invalidates its links.
"""

from django.conf import settings
from django.core import signing

SALT = "people.contact.email-verification"


def email_verification_token(*, contact_id: int, address: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"c": contact_id, "e": address})


def email_verification_read(token: str) -> tuple[int, str]:
    """(contact id, address) from a token; signing.SignatureExpired or signing.BadSignature otherwise."""
    data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("c"), int) or not isinstance(data.get("e"), str):
        raise signing.BadSignature("malformed")
    return data["c"], data["e"]
