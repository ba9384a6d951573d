"""Chart.js configurations built from metric tables (rendered by static/js/charts.js).

Only data and presentation live here; the numbers come from `metrics.Table` rows unchanged, so the
chart, the table under it and the CSV export always agree.
"""

from decimal import Decimal

PALETTE = ["#7a3e6d", "#2e90fa", "#12b76a", "#f79009", "#b42318", "#6172f3", "#0e9384", "#98a2b3", "#dd2590"]
ROUTE_COLORS = {
    "safety_escalation": "#b42318", "provider_review": "#f79009", "staff_review": "#fdb022",
    "member_support": "#6172f3", "bundle_help": "#0e9384", "event_follow_up": "#dd2590",
    "rebooking": "#7a3e6d", "booking": "#2e90fa", "data_quality": "#98a2b3", "all": "#475467",
}


def _num(value):
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def bar(table, label_key: str, series: list[tuple[str, str]], *, horizontal=False, money=False, colors=None):
    """A bar chart: one dataset per (row key, legend label) in `series`."""
    datasets = []
    for i, (key, label) in enumerate(series):
        dataset = {"label": label, "data": [_num(row.get(key)) for row in table.rows]}
        if colors and len(series) == 1:
            dataset["backgroundColor"] = colors
        else:
            dataset["backgroundColor"] = PALETTE[i % len(PALETTE)]
        datasets.append(dataset)
    return {
        "type": "bar",
        "data": {"labels": [row.get(label_key) for row in table.rows], "datasets": datasets},
        "options": {
            "indexAxis": "y" if horizontal else "x",
            "maintainAspectRatio": False,
            "plugins": {"legend": {"display": len(series) > 1}},
            "money": money,
        },
    }


def doughnut(table, label_key: str, value_key: str, *, colors=None):
    return {
        "type": "doughnut",
        "data": {
            "labels": [row.get(label_key) for row in table.rows],
            "datasets": [{"data": [_num(row.get(value_key)) for row in table.rows],
                          "backgroundColor": colors or PALETTE[: len(table.rows)]}],
        },
        "options": {"maintainAspectRatio": False, "plugins": {"legend": {"position": "right"}}},
    }


def route_colors(table) -> list[str]:
    return [ROUTE_COLORS.get(row.get("route"), "#98a2b3") for row in table.rows]
