"""Download of attachments, only for those who may see the ticket."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from tickets.selectors import ticket_get_for_user

from .models import Attachment


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = Attachment.objects.select_related("message").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    ticket_get_for_user(user=request.user, number=attachment.message.ticket_id)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)
    return response
