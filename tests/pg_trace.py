"""What the database server did on Django's connection, read from libpq's protocol trace."""

import contextlib
import tempfile

from django.db import connection
from psycopg import pq


@contextlib.contextmanager
def server_replies():
    """What the database server answered on Django's connection meanwhile, read from libpq's own protocol
    trace: one CommandComplete per statement the server ran (health checks, BEGIN and SAVEPOINT included),
    the round trips the client made (each Sync or simple Query waits for the server), and the statements it
    had the server parse (none for a statement prepared earlier on the connection)."""
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    seen = {"statements": [], "round_trips": 0, "parsed": 0}
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield seen
        finally:
            pgconn.untrace()
        trace.seek(0)
        for line in trace:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:  # a statement's text runs on over lines of its own
                continue
            direction, _length, kind, *rest = fields
            if direction == "B" and kind == "CommandComplete":
                seen["statements"].append(rest[0].strip().strip('"'))
            elif direction == "F" and kind in ("Sync", "Query"):
                seen["round_trips"] += 1
            if direction == "F" and kind in ("Parse", "Query"):
                seen["parsed"] += 1
