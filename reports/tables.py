"""The report tables as rows of plain values: the same rows feed the page's tables and the CSV files."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from . import selectors

WEEKDAYS = [_("Segunda"), _("Terça"), _("Quarta"), _("Quinta"), _("Sexta"), _("Sábado"), _("Domingo")]


def minutes(value: timedelta | None) -> str:
    """Durations in the CSV: minutes with one decimal, empty when there is none."""
    return "" if value is None else f"{value.total_seconds() / 60:.1f}"


def _time_columns() -> list:
    return [
        _("Atendimentos"),
        _("Off-line"),
        _("1ª resposta: média (min)"),
        _("1ª resposta: mediana (min)"),
        _("1ª resposta: p90 (min)"),
        _("Resolução: média (min)"),
        _("Resolução: mediana (min)"),
        _("Resolução: p90 (min)"),
        _("Avaliações"),
        _("Satisfação média"),
    ]


def _time_values(row: dict) -> list:
    return [
        row["total"],
        row["offline"],
        minutes(row["first_response_avg"]),
        minutes(row.get("first_response_median")),
        minutes(row.get("first_response_p90")),
        minutes(row["resolution_avg"]),
        minutes(row.get("resolution_median")),
        minutes(row.get("resolution_p90")),
        row["csat_count"],
        "" if row["csat_avg"] is None else f"{row['csat_avg']:.2f}",
    ]


def by_day(rows: list[dict]) -> tuple[list, list]:
    return [_("Dia"), _("Atendimentos"), _("Off-line")], [
        [r["day"].isoformat(), r["total"], r["offline"]] for r in rows
    ]


def heatmap(grid: list[list[int]]) -> tuple[list, list]:
    header = [_("Dia da semana"), *[f"{hour:02d}h" for hour in range(24)]]
    return header, [[WEEKDAYS[index], *row] for index, row in enumerate(grid)]


def backlog(rows: list[dict]) -> tuple[list, list]:
    header = [_("Dia"), _("Abertos no dia"), _("Encerrados no dia"), _("Em aberto ao fim do dia")]
    return header, [[r["day"].isoformat(), r["opened"], r["closed"], r["open"]] for r in rows]


def by_attendant(rows: list[dict]) -> tuple[list, list]:
    return [_("Atendente"), *_time_columns()], [[r["name"] or "—", *_time_values(r)] for r in rows]


def by_module(rows: list[dict]) -> tuple[list, list]:
    return [_("Módulo"), *_time_columns()], [[r["name"], *_time_values(r)] for r in rows]


def by_entity(rows: list[dict]) -> tuple[list, list]:
    return [_("Entidade"), *_time_columns()], [[r["name"], *_time_values(r)] for r in rows]


def csat(data: dict) -> tuple[list, list]:
    return [_("Nota"), _("Respostas")], [[r["score"], r["total"]] for r in data["distribution"]]


#: The CSV files, by the slug of their URL: the selector that reads the figures and the table it makes.
def _part(read, key: str):
    def reader(*, scope):
        return read(scope=scope)[key]

    return reader


def _group(key: str):
    """One table of report_groups, computing only its grouping set."""

    def reader(*, scope):
        return selectors.report_groups(scope=scope, tables=(key,), summary=False)[key]

    return reader


TABLES = {
    "por-dia": (_part(selectors.report_series, "by_day"), by_day),
    "mapa-de-calor": (_part(selectors.report_series, "heatmap"), heatmap),
    "em-aberto": (_part(selectors.report_series, "backlog"), backlog),
    "atendentes": (_group("attendants"), by_attendant),
    "modulos": (_group("modules"), by_module),
    "entidades": (_group("entities"), by_entity),
    "satisfacao": (selectors.report_csat, csat),
}
