"""A message sent from a page's script (send.js): the same service, answered with JSON instead of a redirect.

Both conversations use it, the staff chat window and the attendant's page in the admin. The answer
carries the saved lines rendered by the one renderer of a line (tickets.realtime.message_html), in the
page's language; a refusal carries the service's Portuguese (or English) text, next to the line.
"""

from django.http import HttpRequest, JsonResponse
from django.utils import translation

from atende_chat.errors import ApplicationError

from . import errors, realtime, services
from .models import Ticket


def wants_json(request: HttpRequest) -> bool:
    """A script's send (XMLHttpRequest/fetch) rather than the plain form, which works without JavaScript."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest" or "application/json" in request.headers.get(
        "Accept", ""
    )


def message_send_response(request: HttpRequest, *, ticket: Ticket, previous: bool = False) -> JsonResponse:
    """200 with the saved lines (also for a repeated key: the same ids), 400 or 429 with the reason."""
    try:
        created = services.ticket_message_create(
            ticket=ticket,
            user=request.user,
            body=request.POST.get("body", ""),
            files=request.FILES.getlist("files"),
            client_key=request.POST.get("client_key"),
        )
    except ApplicationError as error:
        status = 429 if isinstance(error, errors.RateLimited) else 400
        return JsonResponse({"error": error.message, "code": error.code}, status=status)
    language = translation.get_language()
    return JsonResponse(
        {
            "messages": [
                {"id": message.pk, "html": realtime.message_html(message, language=language, previous=previous)}
                for message in created
            ]
        }
    )
