"""Row history of people and contacts (django-simple-history), and an access-log entry for each change.

Registered from here so that ``people`` keeps no dependency on this app; the historical tables live
in ``privacy``. The middleware (settings.MIDDLEWARE) gives each history row the user who made it.
"""

from django.dispatch import receiver
from django.utils import timezone
from simple_history import register
from simple_history.signals import post_create_historical_record

from people.models import Contact, Person

from .models import AccessLog

register(Person, app="privacy", table_name="privacy_historicalperson")
register(Contact, app="privacy", table_name="privacy_historicalcontact")


@receiver(post_create_historical_record, dispatch_uid="privacy-change-log")
def person_change_logged(sender, instance, history_instance, history_user=None, **kwargs) -> None:
    if isinstance(instance, Person):
        if history_instance.history_type == "+":
            return  # a new registration is no change of somebody's data
        person_id = instance.pk
    elif isinstance(instance, Contact):
        person_id = instance.person_id
    else:
        return
    person = Person.objects.filter(pk=person_id).only("code").first()
    AccessLog.objects.create(
        at=timezone.now(),
        actor=history_user,
        action=AccessLog.Action.CHANGE,
        person=person,
        person_code=person.code if person else None,
        detail=f"{instance._meta.model_name}:{history_instance.history_type}",
    )
