"""Request-wide guards that belong to no app."""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

NUL_REFUSED = _(
    "O formulário contém caracteres nulos (NUL), que não são permitidos. Nada foi alterado: "
    "confira o texto colado e envie novamente."
)


def _has_nul(query_dict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query_dict.lists())


class RefuseNulMiddleware:
    """A form field or query parameter with a NUL character is refused as a whole with 400.

    Runs after CSRF (process_view): a forged POST is still a 403. Before this, such a form came back
    as 200 with a field error (or was silently stripped), and PostgreSQL cannot store NUL in text at all.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            body = render_to_string("nul_refused.html", {"message": NUL_REFUSED}, request=request)
            return HttpResponse(body, status=400)
        return None
