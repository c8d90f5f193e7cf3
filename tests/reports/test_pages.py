"""The report pages: who may see what, CSV contents, bad ranges, a fixed number of queries."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reports import selectors
from tests.conftest import login
from tests.factories import UserFactory

from .conftest import RANGE, local, make_ticket

PAGE = "/admin/relatorios/"
MY_DAY = "/admin/relatorios/meu-dia/"


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_managers_see_everyones_figures_charts_and_tables(known, manager):
    page = login(Client(), manager).get(f"{PAGE}?{RANGE}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Relatórios de atendimento" in body
    assert "Ana Paula Schmitt" in body and "Bruno Kowalski" in body
    # Each chart is an image with a title, a description and a data table.
    assert body.count('role="img"') == 4
    assert body.count("<title id=") == 4 and body.count("<desc id=") == 4
    assert body.count("Tabela de dados") == 4
    assert "<script" not in body.split('id="content-main"')[1]
    assert "Atendimentos abertos de 02/03/2026 a 04/03/2026" in body


def test_a_superuser_sees_the_reports(known, admin_client):
    body = admin_client.get(f"{PAGE}?{RANGE}").content.decode()
    assert "Bruno Kowalski" in body


def test_an_attendant_sees_only_their_own_figures(known):
    body = login(Client(), known.ana).get(f"{PAGE}?{RANGE}").content.decode()
    assert "Meus números" in body
    assert "Você vê apenas os números dos atendimentos que estão com você." in body
    assert "Ana Paula Schmitt" in body
    assert "Bruno Kowalski" not in body
    rows = csv_rows(login(Client(), known.ana).get(f"{PAGE}csv/atendentes/?{RANGE}"))
    assert [row[0] for row in rows[1:]] == ["Ana Paula Schmitt"]


def test_staff_outside_both_groups_get_403_and_people_outside_the_staff_the_login(known):
    staff = UserFactory(username="equipe", is_staff=True)
    for url in (PAGE, f"{PAGE}csv/por-dia/", MY_DAY):
        assert login(Client(), staff).get(url).status_code == 403
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        person_user = UserFactory(username="servidor")
        response = login(Client(), person_user).get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_manager_who_is_not_an_attendant_has_no_own_day(manager):
    assert login(Client(), manager).get(MY_DAY).status_code == 403


def test_csv_contents(known, manager):
    client = login(Client(), manager)
    response = client.get(f"{PAGE}csv/por-dia/?{RANGE}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="relatorio-por-dia-2026-03-02-2026-03-04.csv"'
    assert csv_rows(response) == [
        ["Dia", "Atendimentos", "Off-line"],
        ["2026-03-02", "2", "0"],
        ["2026-03-03", "2", "1"],
        ["2026-03-04", "2", "0"],
    ]
    attendants = csv_rows(client.get(f"{PAGE}csv/atendentes/?{RANGE}"))
    assert attendants[0][:6] == [
        "Atendente",
        "Atendimentos",
        "Off-line",
        "1ª resposta: média (min)",
        "1ª resposta: mediana (min)",
        "1ª resposta: p90 (min)",
    ]
    by_name = {row[0]: row for row in attendants[1:]}
    assert by_name["Ana Paula Schmitt"] == [
        "Ana Paula Schmitt",
        "3",
        "0",
        "26.7",
        "20.0",
        "44.0",
        "90.0",
        "90.0",
        "114.0",
        "2",
        "4.50",
    ]
    assert by_name["—"][:3] == ["—", "1", "1"]
    assert csv_rows(client.get(f"{PAGE}csv/satisfacao/?{RANGE}")) == [
        ["Nota", "Respostas"],
        ["1", "0"],
        ["2", "1"],
        ["3", "0"],
        ["4", "1"],
        ["5", "1"],
    ]
    backlog = csv_rows(client.get(f"{PAGE}csv/em-aberto/?{RANGE}"))
    assert backlog[1:] == [["2026-03-02", "2", "2", "1"], ["2026-03-03", "2", "2", "1"], ["2026-03-04", "2", "1", "2"]]
    heat = csv_rows(client.get(f"{PAGE}csv/mapa-de-calor/?{RANGE}"))
    assert heat[0][:3] == ["Dia da semana", "00h", "01h"] and heat[1][0] == "Segunda" and heat[1][1 + 9] == "2"
    modules = csv_rows(client.get(f"{PAGE}csv/modulos/?{RANGE}"))
    entities = csv_rows(client.get(f"{PAGE}csv/entidades/?{RANGE}"))
    assert sorted(row[0] for row in modules[1:]) == ["Folha de Pagamento", "Nota Fiscal Eletrônica Web"]
    assert [row[:2] for row in entities[1:]] == [
        ["Prefeitura Municipal de Rio do Sul", "4"],
        ["Prefeitura Municipal de Ituporanga", "2"],
    ]
    assert client.get(f"{PAGE}csv/nao-existe/?{RANGE}").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("inicio=2026-03-04&fim=2026-03-02", "A data final deve ser igual ou posterior à data inicial."),
        ("inicio=2024-01-01&fim=2025-12-31", "O período deve ter no máximo 366 dias. Escolha um intervalo menor."),
        ("inicio=2026-02-31&fim=2026-03-02", "Informe as datas no formato dd/mm/aaaa."),
        ("inicio=ontem", "Informe as datas no formato dd/mm/aaaa."),
        ("inicio=99999-01-01", "Informe as datas no formato dd/mm/aaaa."),
    ],
)
def test_a_bad_range_gets_a_clear_message_not_a_500(known, manager, query, message):
    client = login(Client(), manager)
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    response = client.get(f"{PAGE}csv/por-dia/?{query}")
    assert response.status_code == 400
    assert response.content.decode() == message


def test_dates_typed_as_dd_mm_aaaa_are_accepted(known, manager):
    response = login(Client(), manager).get(f"{PAGE}csv/por-dia/?inicio=02/03/2026&fim=04/03/2026")
    assert len(csv_rows(response)) == 4


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


#: Session, user, the user's and the groups' permissions, the person of the toolbar's context, then the
#: report's three: the groupings (totals, attendants, modules, entities), the series (days, heatmap,
#: backlog) and the CSAT distribution.
REPORT_QUERIES = 8


def test_the_report_page_costs_a_fixed_number_of_queries(known, manager):
    client = login(Client(), manager)
    url = f"{PAGE}?{RANGE}"
    small = _queries(client, url)
    for n in range(40):
        make_ticket(
            known.tickets[1].requester,
            known.tickets[1].entity,
            known.tickets[1].module,
            opened=local(2 + n % 3, 8 + n % 10),
            attendant=known.bruno,
            first=n + 1,
            closed=n + 30,
            score=1 + n % 5,
        )
    assert _queries(client, url) == small == REPORT_QUERIES
    # Session, user, permissions (2), then the table's one query.
    for table in ("por-dia", "em-aberto", "mapa-de-calor", "atendentes", "modulos", "entidades", "satisfacao"):
        assert _queries(client, f"{PAGE}csv/{table}/?{RANGE}") == 5


def test_the_attendants_day_costs_a_fixed_number_of_queries(known):
    client = login(Client(), known.ana)
    small = _queries(client, MY_DAY)
    from django.utils import timezone

    now = timezone.now()
    for _n in range(20):
        make_ticket(
            known.tickets[1].requester,
            known.tickets[1].entity,
            known.tickets[1].module,
            opened=now,
            attendant=known.ana,
            first=None,
            status="em_atendimento",
        )
    assert _queries(client, MY_DAY) == small


def test_the_attendants_day_shows_today_waiting_first_response_and_csat(known):
    from django.utils import timezone

    now = timezone.now()
    mine = make_ticket(
        known.tickets[1].requester,
        known.tickets[1].entity,
        known.tickets[1].module,
        opened=now,
        attendant=known.ana,
        first=0,
        status="em_atendimento",
    )
    make_ticket(
        known.tickets[1].requester, known.tickets[1].entity, known.tickets[1].module, opened=now, status="nao_iniciado"
    )
    figures = selectors.attendant_today(user=known.ana, now=now)
    assert figures["today"] == 1
    assert figures["queue_waiting"] == 2  # the old off-line one and the new one
    assert figures["tickets"] == [mine]
    body = login(Client(), known.ana).get(MY_DAY).content.decode()
    assert "Meu dia" in body and f">{mine.pk}</a>" in body
    assert "Aguardando na fila" in body and "Satisfação (30 dias)" in body


def test_without_postgresql_the_page_shows_averages_and_says_why(known, manager, monkeypatch):
    monkeypatch.setattr(selectors, "percentiles_supported", lambda: False)
    response = login(Client(), manager).get(f"{PAGE}?{RANGE}")
    assert response.status_code == 200
    assert "Medianas e percentis (p90) são calculados só com o banco PostgreSQL" in response.content.decode()
    summary = selectors.report_summary(scope=selectors.Scope(start=local(2, 0).date(), end=local(4, 0).date()))
    assert "first_response_median" not in summary and summary["total"] == 6
