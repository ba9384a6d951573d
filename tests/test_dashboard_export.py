"""CSV exports open safely in a spreadsheet: formula-looking text is defused, numbers stay numbers."""

import csv
import io
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from medspa.dashboards.aggregates import percentile_cont
from medspa.dashboards.csvexport import csv_response, safe_cell
from medspa.dashboards.filters import DashboardFilter
from medspa.dashboards.metrics import Table


@pytest.mark.parametrize("text, expected", [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+1+2", "'+1+2"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("Open house VIP night", "Open house VIP night"),
    ("", ""),
])
def test_formula_text_is_prefixed(text, expected):
    assert safe_cell(text) == expected


def test_numbers_are_not_touched():
    assert safe_cell(-5) == -5
    assert safe_cell(Decimal("-12.50")) == Decimal("-12.50")
    assert safe_cell(None) == ""


def test_csv_response_defuses_every_cell_and_header():
    table = Table("calls-by-event", "Calls by event", [("name", "=Event"), ("calls", "Calls")], [
        {"name": "=cmd|' /C calc'!A0", "calls": 3},
        {"name": "@evil", "calls": -1},
        {"name": "Spring open house", "calls": 12},
    ])
    f = DashboardFilter(location_ids=(1,), start=date(2026, 3, 1), end=date(2026, 3, 30),
                        tz=ZoneInfo("America/Los_Angeles"))
    response = csv_response(table, f)
    assert response["Content-Disposition"] == 'attachment; filename="calls-by-event-20260301-20260330.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["'=Event", "Calls"], ["'=cmd|' /C calc'!A0", "3"], ["'@evil", "-1"],
                    ["Spring open house", "12"]]


def test_sqlite_percentile_matches_postgresql_interpolation():
    # The `make run` (SQLite) fallback uses this; PostgreSQL's percentile_cont gives the same numbers.
    assert percentile_cont([10, 30, 50], 0.9) == 46
    assert percentile_cont([5, 10, 30, 50, 60, 120], 0.5) == 40
    assert percentile_cont([5, 10, 30, 50, 60, 120], 0.9) == 90
    assert percentile_cont([], 0.5) is None
