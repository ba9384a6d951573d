"""History import: bad values reject only their own row, reported at the true physical line of the file."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from test_recall_import import HEADER, TODAY

from medspa.models import Visit

pytestmark = pytest.mark.django_db
ROW = "P-{n},Ann,Bee,,,Westside Aesthetics,Botox,,2026-03-01,completed,{amount}\n"


def run(path) -> str:
    import io

    out = io.StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("import_history", str(path), stdout=out)
    return out.getvalue()


def test_absurd_amounts_and_dates_reject_only_their_rows(tmp_path, westside):
    rows = [ROW.format(n=1, amount="450"),                                              # line 2
            ROW.format(n=2, amount="1e999"),                                            # line 3
            ROW.format(n=3, amount="12345678901"),                                      # line 4
            ROW.format(n=4, amount="NaN"),                                              # line 5
            ROW.format(n=5, amount="450").replace("2026-03-01", "0001-01-01"),          # line 6
            ROW.format(n=6, amount="450").replace("2026-03-01,completed", "9999-12-31,booked"),  # line 7
            ROW.format(n=7, amount='"$1,250.50"')]                                        # line 8
    path = tmp_path / "h.csv"
    path.write_text(HEADER + "".join(rows))
    report = run(path)
    assert "Visits imported:      2" in report and "Rows rejected:        5" in report
    assert "line 3: amount “1e999” is more than a visit can cost" in report
    assert "line 4: amount “12345678901” is more than a visit can cost" in report
    assert "line 5: unparseable amount “NaN”" in report
    assert "line 6: visit date 0001-01-01 is before 1900" in report
    assert "line 7: visit date 9999-12-31 is more than two years ahead" in report
    assert sorted(Visit.objects.values_list("value", flat=True)) == [450, 1250.5]


def test_line_numbers_count_blank_lines_and_quoted_newlines(tmp_path, westside):
    text = (HEADER
            + "\n"                                                                                   # line 2 blank
            + 'P-1,"Ann\nMarie",Bee,,,Westside Aesthetics,Botox,,2026-03-01,completed,450\n'          # lines 3-4
            + "\n\n"                                                                                 # lines 5-6
            + "P-2,Cy,Dee,,,Westside Aesthetics,Thread lift,,2026-03-01,completed,450\n"              # line 7
            + 'P-3,Di,"Multi\nline\nname",,,Westside Aesthetics,Botox,,2026-03-01,completed,oops\n'   # lines 8-10
            + "P-4,Ed,Eve,,,Westside Aesthetics,Botox,,2026-03-01,completed,1e999\n")                 # line 11
    path = tmp_path / "h.csv"
    path.write_text(text)
    report = run(path)
    assert "line 7: unknown service “Thread lift”" in report
    assert "line 8: unparseable amount “oops”" in report
    assert "line 11: amount “1e999”" in report
    assert "Visits imported:      1" in report


def test_bytes_that_are_not_utf8_reject_only_their_row(tmp_path, westside):
    good = ROW.format(n=1, amount="450").encode()
    latin1 = "P-2,Zoë,Bee,,,Westside Aesthetics,Botox,,2026-03-01,completed,450\n".encode("latin-1")
    path = tmp_path / "h.csv"
    path.write_bytes(HEADER.encode() + good + latin1 + ROW.format(n=3, amount="99").encode())
    report = run(path)
    assert "line 3: bytes that are not UTF-8 text" in report
    assert "Visits imported:      2" in report and "Rows rejected:        1" in report


def test_utf8_names_and_a_byte_order_mark_still_import(tmp_path, westside):
    path = tmp_path / "h.csv"
    path.write_bytes(("\ufeff" + HEADER + ROW.format(n=1, amount="450").replace("Ann", "Zoë")).encode())
    assert "Visits imported:      1" in run(path)
    assert Visit.objects.get().patient.first_name == "Zoë"


def test_progress_reports_running_counts_in_whole_patient_chunks(westside, monkeypatch):
    from recall import importer

    monkeypatch.setattr(importer, "CHUNK_ROWS", 10)
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 10)
    rows = "".join(ROW.format(n=n, amount="100") for n in range(45))
    seen = []
    with time_machine.travel(TODAY, tick=False):
        report = importer.import_history(HEADER + rows, progress=lambda r: seen.append(r.counts()))
    assert report.visits_imported == 45 and Visit.objects.count() == 45
    assert [c["rows_read"] for c in seen if not c["rows_written"]][:5] == [0, 10, 20, 30, 40]
    assert [c["rows_written"] for c in seen if c["rows_written"]] == [10, 20, 30, 40, 45]
    assert [c["visits_imported"] for c in seen if c["rows_written"]] == [10, 20, 30, 40, 45]
    assert seen[0]["total_lines"] == 46 and seen[-1]["lines_read"] == 46
    assert dt.date(2026, 3, 1) == Visit.objects.first().starts_at.date()
