"""Download of attachments, only for those who may see the ticket.

Files live under MEDIA_ROOT and no URL maps it: this view is the only way to read one.
"""

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from .selectors import attachment_get_for_user


@require_safe
def download(request: HttpRequest, pk: int) -> FileResponse:
    # Anonymous visitors get the same 404 as everyone who may not see the ticket: no login redirect
    # that would confirm the attachment exists.
    attachment = attachment_get_for_user(user=request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    # Never rendered by the browser: no sniffing, no scripts or same-origin rights if opened anyway.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private"
    return response
