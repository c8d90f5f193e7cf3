"""Reads of attachments: the one access check for a download."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404

from tickets.selectors import ticket_get_for_user

from .models import Attachment


def attachment_get_for_user(*, user: AbstractBaseUser | AnonymousUser, pk: int) -> Attachment:
    """An attachment of a ticket `user` may see (its requester or an attendant); else the same 404."""
    if not user.is_authenticated:
        raise Http404
    attachment = Attachment.objects.select_related("message").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    ticket_get_for_user(user=user, number=attachment.message.ticket_id)
    return attachment
