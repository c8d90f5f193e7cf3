"""At login, the language kept on the account goes into the session (people.middleware applies it)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import SESSION_LANGUAGE_KEY
from .selectors import user_language


@receiver(user_logged_in, dispatch_uid="people.account_language")
def account_language_to_session(sender, request, user, **kwargs) -> None:
    language = user_language(user=user)
    if request is not None and language:
        request.session[SESSION_LANGUAGE_KEY] = language
