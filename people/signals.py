"""At login, the language kept on the account goes into the session (people.middleware applies it).

An account without one keeps the language of this first login (the browser's, or the one chosen on the
login page), so that what is sent later without a request, the transcript e-mail, is in that language.
"""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from .middleware import SESSION_LANGUAGE_KEY
from .selectors import user_language
from .services import user_language_set


@receiver(user_logged_in, dispatch_uid="people.account_language")
def account_language_to_session(sender, request, user, **kwargs) -> None:
    language = user_language(user=user)
    if language is None:
        # The language LocaleMiddleware chose for this request; a login outside a request keeps nothing.
        served = getattr(request, "LANGUAGE_CODE", None)
        if not served:
            return
        language = translation.get_supported_language_variant(served)
        user_language_set(user=user, language=language)
    if hasattr(request, "session"):
        request.session[SESSION_LANGUAGE_KEY] = language
