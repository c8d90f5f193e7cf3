"""What ``tickets`` does when a session, a user, a person or an entity changes: its sockets close.

Connected in ``TicketsConfig.ready``; ``people`` and ``django.contrib.auth`` know nothing of this.
Every way a session ends reaches the sockets within a second:

- logging out by any URL (the staff logout, the admin's): ``user_logged_out``;
- a password change or a deactivation: the user saved (the session's auth hash or ``is_active``
  no longer match, and the sockets re-check with Django's own ``get_user``);
- an attendant removed from "Atendentes" (either side of the relation, or cleared);
- an entity's chat switched off; a person's contacts or entity changed (the contact gate).

Long-lived sockets also re-check on their own every SOCKET_RECHECK_SECONDS, for whatever no
signal reports (a raw SQL update, a group's permissions changed).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from people.models import Contact, Entity, Person

from . import realtime

User = get_user_model()


@receiver(user_logged_out, dispatch_uid="tickets.logout_closes_sockets")
def logout_closes_sockets(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    session = getattr(request, "session", None)
    realtime.close_session_sockets(user_id=user.pk, session_key=getattr(session, "session_key", None))


@receiver(post_save, sender=User, dispatch_uid="tickets.user_saved_rechecks_sockets")
def user_saved_rechecks_sockets(sender, instance, created, update_fields=None, **kwargs) -> None:
    # Logging in saves last_login only: nothing about access changed.
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    realtime.recheck_user_sockets(instance.pk)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="tickets.groups_changed_rechecks_sockets")
def groups_changed_rechecks_sockets(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in {"post_remove", "pre_clear"}:
        return
    if not reverse:
        user_ids = [instance.pk]
    elif action == "pre_clear":
        user_ids = list(instance.user_set.values_list("pk", flat=True))
    else:
        user_ids = list(pk_set or ())
    for user_id in user_ids:
        realtime.recheck_user_sockets(user_id)


@receiver(post_save, sender=Entity, dispatch_uid="tickets.entity_saved_rechecks_sockets")
def entity_saved_rechecks_sockets(sender, instance, created, **kwargs) -> None:
    if not created and not instance.online_chat_enabled:
        realtime.recheck_entity_sockets(instance.pk)


@receiver(post_save, sender=Person, dispatch_uid="tickets.person_saved_rechecks_sockets")
def person_saved_rechecks_sockets(sender, instance, created, **kwargs) -> None:
    if not created and instance.user_id is not None:
        realtime.recheck_user_sockets(instance.user_id)


@receiver(post_delete, sender=Contact, dispatch_uid="tickets.contact_deleted_rechecks_sockets")
@receiver(post_save, sender=Contact, dispatch_uid="tickets.contact_saved_rechecks_sockets")
def contact_changed_rechecks_sockets(sender, instance, created=False, **kwargs) -> None:
    if created:
        return  # a new contact can only let the person through the gate
    user_id = Person.objects.filter(pk=instance.person_id).values_list("user_id", flat=True).first()
    if user_id is not None:
        realtime.recheck_user_sockets(user_id)
