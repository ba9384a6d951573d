"""Percentile as a database aggregate: PostgreSQL's percentile_cont, and the same interpolation on SQLite.

PostgreSQL computes `percentile_cont(p) WITHIN GROUP (ORDER BY expr)` natively. SQLite (used by
`make run` only) has no ordered-set aggregates, so on SQLite the query calls a user-defined
aggregate registered on the connection, which implements the same linear interpolation. Either
way the percentile is computed inside the database query, per group, in one pass.
"""

import datetime as dt
import math
import zoneinfo

from django.db.models import Aggregate, FloatField, Func, IntegerField

SQLITE_FUNCTION = "medspa_percentile_cont"


def percentile_cont(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks, exactly like PostgreSQL's percentile_cont."""
    if not values:
        return None
    values = sorted(values)
    pos = p * (len(values) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


class _SqlitePercentile:
    def __init__(self):
        self.values: list[float] = []
        self.p = 0.5

    def step(self, value, p):
        if value is not None:
            self.values.append(value)
            self.p = p

    def finalize(self):
        return percentile_cont(self.values, self.p)


class Percentile(Aggregate):
    """`Percentile(expression, 0.9)`: the continuous percentile of a numeric or interval expression."""

    name = "Percentile"
    function = "percentile_cont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    window_compatible = False

    def __init__(self, expression, percentile: float, **extra):
        percentile = float(percentile)
        if not 0 <= percentile <= 1:
            raise ValueError("A percentile is a fraction between 0 and 1.")
        extra.setdefault("output_field", FloatField())
        super().__init__(expression, percentile=repr(percentile), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_aggregate(SQLITE_FUNCTION, 2, _SqlitePercentile)
        return self.as_sql(
            compiler, connection, function=SQLITE_FUNCTION,
            template="%(function)s(%(expressions)s, %(percentile)s)", **extra_context,
        )


SQLITE_LOCAL_PART = "medspa_local_part"
LOCAL_PARTS = ("hour", "isodow")


def local_part(tz_name, value, part):
    """SQLite helper: the hour (0-23) or ISO weekday (1 = Monday) of a UTC timestamp in `tz_name`."""
    if value is None or tz_name is None:
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(zoneinfo.ZoneInfo(tz_name))
    return local.hour if part == "hour" else local.isoweekday()


class LocalPart(Func):
    """The hour or ISO weekday of a timestamp in a time zone read from each row.

    `LocalPart("started_at", "location__time_zone", "hour")` puts every call at its own location's
    wall-clock hour, so two locations in different zones group correctly in one GROUP BY.
    PostgreSQL: `EXTRACT(HOUR FROM timezone(tz, ts))`; SQLite: a function registered on the connection.
    """

    output_field = IntegerField()

    def __init__(self, expression, tz_expression, part: str, **extra):
        if part not in LOCAL_PARTS:
            raise ValueError(f"part must be one of {LOCAL_PARTS}")
        self.part = part
        super().__init__(tz_expression, expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        template = f"CAST(EXTRACT({self.part.upper()} FROM timezone(%(expressions)s)) AS integer)"
        return super().as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_function(SQLITE_LOCAL_PART, 3, local_part, deterministic=True)
        return super().as_sql(
            compiler, connection, template=f"{SQLITE_LOCAL_PART}(%(expressions)s, '{self.part}')", **extra_context
        )
