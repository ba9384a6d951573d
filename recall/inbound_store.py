"""Storing an inbound text from the webhook: one statement, no model object, no transaction of its own.

`store_inbound` runs a single `INSERT ... SELECT ... WHERE <the number is ours> ON CONFLICT (message_sid)
DO NOTHING RETURNING id` in autocommit: the row is committed when the statement returns, a retried webhook
(same MessageSid) inserts nothing, and a text to a number no location owns is not stored. Only when nothing
was inserted does the caller ask which of the two it was (`is_our_number`), so the common case costs one
round trip. The statement is the same on PostgreSQL and on SQLite (`make run`), except for the JSON cast.

On PostgreSQL the statement goes straight to the psycopg connection Django keeps open (CONN_MAX_AGE), as a
prepared statement with server-side parameters: the server plans it once per connection, not per text.
That also skips Django's per-request connection health check (CONN_HEALTH_CHECKS: a `SELECT 1` round trip
before the first query of every request, measured at about a tenth of the webhook's cost). A connection the
server closed (restart, idle timeout) is noticed by the insert itself instead: Django's connection is
closed and the insert runs once more on a new one, which is safe because it is idempotent on MessageSid.
"""

import json

import psycopg
from django.conf import settings
from django.db import connection
from django.utils import timezone

from medspa.models import Location

# Table and column names are the models' (recall.InboundMessage, medspa.Location); the JSON needs a cast on
# PostgreSQL (a text parameter into jsonb), SQLite stores the text as it is.
STATEMENT = (
    "INSERT INTO recall_inboundmessage (message_sid, from_number, to_number, body, opt_out_type, media, "
    "received_at, kind, reply_body, reply_sid) "
    "SELECT %s, %s, %s, %s, %s, {media}, %s, '', '', '' "
    "WHERE %s OR EXISTS (SELECT 1 FROM medspa_location WHERE is_active AND sms_number = %s) "
    "ON CONFLICT (message_sid) DO NOTHING RETURNING id"
)
STATEMENTS = {"postgresql": STATEMENT.format(media="CAST(%s AS jsonb)"), "sqlite": STATEMENT.format(media="%s")}


def store_inbound(sms) -> int | None:
    """The new row's id; None if this MessageSid is already stored or no active location owns `sms.to`."""
    media = json.dumps([{"url": m.url, "content_type": m.content_type} for m in sms.media])
    default_number = bool(sms.to) and sms.to == settings.TWILIO_DEFAULT_FROM
    params = [sms.sid, sms.sender, sms.to, sms.body, sms.opt_out_type, media, timezone.now(), default_number, sms.to]
    if connection.vendor == "postgresql":
        return _insert_prepared(params)
    params[6] = connection.ops.adapt_datetimefield_value(params[6])
    with connection.cursor() as cursor:
        cursor.execute(STATEMENTS[connection.vendor], params)
        row = cursor.fetchone()
    return row[0] if row else None


def _insert_prepared(params: list) -> int | None:
    for attempt in (1, 2):
        connection.ensure_connection()
        try:
            with psycopg.Cursor(connection.connection) as cursor:
                row = cursor.execute(STATEMENTS["postgresql"], params, prepare=True).fetchone()
            return row[0] if row else None
        except (psycopg.OperationalError, psycopg.InterfaceError):
            # Only a connection the server closed, outside any transaction, is worth a second attempt.
            if attempt == 2 or not connection.connection.closed or connection.in_atomic_block:
                raise
            connection.close()  # the next attempt opens a new connection
    return None


def is_our_number(number: str) -> bool:
    return bool(number) and (number == settings.TWILIO_DEFAULT_FROM
                             or Location.objects.filter(is_active=True, sms_number=number).exists())
