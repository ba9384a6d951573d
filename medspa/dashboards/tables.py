"""A metric table: what a dashboard section renders as cards or a chart, as a table, and as CSV."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse


@dataclass
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (row key, column label)
    rows: list[dict]
    notes: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # column key -> percent | money | minutes

    @property
    def values(self) -> list[list]:
        """Raw cell values (for CSV): fractions stay fractions, money stays Decimal."""
        return [[row.get(key) for key, _ in self.columns] for row in self.rows]

    @property
    def display_rows(self) -> list[list[str]]:
        """Cells formatted for people. A row may override a column's format with `<key>_format`."""
        return [
            [display(row.get(key), row.get(f"{key}_format") or self.formats.get(key)) for key, _ in self.columns]
            for row in self.rows
        ]

    @property
    def cards(self) -> list[dict]:
        """Metric/value/definition rows with the value formatted (stat cards)."""
        return [{**row, "display": display(row.get("value"), row.get("value_format"))} for row in self.rows]

    def row(self, key: str) -> dict:
        return next((row for row in self.rows if row.get("key") == key), {})


def display(value, fmt: str | None = None) -> str:
    if value is None:
        return "—"
    if fmt == "percent":
        return f"{Decimal(value) * 100:.1f}%"
    if fmt == "money":
        return f"${Decimal(value):,.0f}"
    if fmt == "minutes":
        return f"{Decimal(value):,.1f} min"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value:,}"
    return str(value)


def share(part, whole) -> Decimal | None:
    """part / whole as a fraction with 4 places, or None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def minutes(duration: timedelta | None) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def money(amount) -> Decimal:
    return Decimal(amount or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def panel(table: Table, chart: dict | None, f) -> dict:
    """What `dashboards/_panel.html` renders: the chart, the table under it and its CSV link."""
    return {
        "table": table,
        "chart": chart,
        "chart_id": f"chart-{table.key}",
        "csv_url": reverse("dashboards:export", args=[table.key]) + "?" + f.query_string(),
    }
