"""The drop zone's limits and messages, from the settings and attachments/errors.py (one source for both sides)."""

import uuid

from django import template
from django.conf import settings
from django.utils.translation import gettext

from attachments import errors
from attachments.validators import ALLOWED_EXTENSIONS

register = template.Library()


@register.simple_tag
def attachment_limits() -> dict:
    return {
        "uid": uuid.uuid4().hex[:8],
        "max_bytes": settings.ATTACHMENT_MAX_BYTES,
        "max_files": settings.ATTACHMENT_MAX_FILES,
        "extensions": ",".join(ALLOWED_EXTENSIONS),
        "accept": ",".join(f".{extension}" for extension in ALLOWED_EXTENSIONS),
        "messages": {
            "too_big": gettext(errors.TOO_BIG),
            "empty": gettext(errors.EMPTY),
            "type": gettext(errors.TYPE_NOT_ALLOWED),
            "double": gettext(errors.DOUBLE_EXTENSION),
            "incomplete": gettext(errors.NAME_INCOMPLETE),
            "too_many": gettext(errors.TOO_MANY_FILES).format(limit=settings.ATTACHMENT_MAX_FILES),
        },
    }
