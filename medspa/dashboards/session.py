"""How dashboard pages talk to the database.

`analytics()` runs a page's aggregates in one transaction with PostgreSQL's JIT compiler off
(`SET LOCAL`, so nothing leaks to the pooled connection). The dashboards' queries run for tens to
hundreds of milliseconds; JIT compiling them cost more than it saved -- at 1,000,000 rows it added
1-2.5 s per query on the benchmark machine (see docs/benchmarks.md). One statement per page, so the
query count stays constant. On SQLite it does nothing.
"""

from contextlib import contextmanager
from functools import wraps

from django.db import connection, transaction


@contextmanager
def analytics():
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def analytics_view(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        with analytics():
            return view(*args, **kwargs)

    return wrapper
