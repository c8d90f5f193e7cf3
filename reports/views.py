"""The report pages in the admin. Thin: check who asks, parse the range, call the selectors, render.

Managers (superusers and the "Gestores" group) see everyone's figures; an attendant sees only their own
tickets' figures on the same pages; other staff get 403.
"""

import csv

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from atende_chat.errors import ApplicationError

from . import charts, selectors, tables
from .filters import default_range, scope_from_query


def _attendant_scope(request: HttpRequest) -> int | None:
    """None for managers (everything); the user's own id for an attendant; 403 for anyone else."""
    if selectors.user_sees_all_reports(user=request.user):
        return None
    if selectors.user_is_attendant(user=request.user):
        return request.user.pk
    raise PermissionDenied


def _context(request: HttpRequest, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, **extra}


def _range_values(request: HttpRequest) -> dict:
    start, end = default_range()
    return {
        "inicio": request.GET.get("inicio", start.isoformat()),
        "fim": request.GET.get("fim", end.isoformat()),
    }


@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    attendant_id = _attendant_scope(request)
    title = gettext("Relatórios de atendimento") if attendant_id is None else gettext("Meus números")
    base = _context(
        request,
        title,
        own_only=attendant_id is not None,
        values=_range_values(request),
        percentiles=selectors.percentiles_supported(),
    )
    try:
        scope = scope_from_query(request.GET, attendant_id=attendant_id)
    except ApplicationError as error:
        return TemplateResponse(request, "admin/reports/report.html", {**base, "error": error.message}, status=400)
    series = selectors.report_series(scope=scope)
    by_day, grid, backlog = series["by_day"], series["heatmap"], series["backlog"]
    groups = selectors.report_groups(scope=scope)
    csat = selectors.report_csat(scope=scope)
    weekdays = [str(name) for name in tables.WEEKDAYS]
    context = {
        **base,
        "scope": scope,
        "query": f"inicio={scope.start.isoformat()}&fim={scope.end.isoformat()}",
        "summary": groups["summary"],
        "by_day": by_day,
        "by_day_chart": charts.bar_chart([(row["day"].strftime("%d/%m"), row["total"]) for row in by_day]),
        "heatmap": charts.heatmap(grid, weekdays),
        "heatmap_table": tables.heatmap(grid),
        "backlog": backlog,
        "backlog_chart": charts.bar_chart([(row["day"].strftime("%d/%m"), row["open"]) for row in backlog]),
        "csat": csat,
        "csat_chart": charts.bar_chart([(str(row["score"]), row["total"]) for row in csat["distribution"]]),
        "groups": [
            ("atendentes", _("Por atendente"), _("Atendente"), groups["attendants"]),
            ("modulos", _("Por módulo"), _("Módulo"), groups["modules"]),
            (
                "entidades",
                _("Por entidade (as 20 com mais atendimentos)"),
                _("Entidade"),
                groups["entities"],
            ),
        ],
    }
    return TemplateResponse(request, "admin/reports/report.html", context)


@require_GET
def report_csv(request: HttpRequest, table: str) -> HttpResponse:
    """Any table of the report page as CSV, for the same range and the same scope."""
    attendant_id = _attendant_scope(request)
    if table not in tables.TABLES:
        raise Http404
    try:
        scope = scope_from_query(request.GET, attendant_id=attendant_id)
    except ApplicationError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    read, make = tables.TABLES[table]
    header, rows = make(read(scope=scope))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"relatorio-{table}-{scope.start.isoformat()}-{scope.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow([str(cell) for cell in header])
    writer.writerows(rows)
    return response


@require_GET
def attendant_page(request: HttpRequest) -> HttpResponse:
    """ "Meu dia": the attendant's own figures of today."""
    if not selectors.user_is_attendant(user=request.user):
        raise PermissionDenied
    figures = selectors.attendant_today(user=request.user)
    context = _context(request, gettext("Meu dia"), figures=figures, percentiles=selectors.percentiles_supported())
    return TemplateResponse(request, "admin/reports/my_day.html", context)
