"""Template hooks of routing for pages other apps own: one small include each."""

from django import template

from ..selectors import reply_email_enabled

register = template.Library()


@register.inclusion_tag("routing/_notice_preference.html", takes_context=True)
def notice_preference_form(context) -> dict:
    """The e-mail notice switch of "Meus Dados" (one query)."""
    request = context["request"]
    return {"enabled": reply_email_enabled(user=request.user), "csrf_token": context.get("csrf_token")}
