"""The inbox at 100 and at 100,000 open items, side by side in the same run.

    python -m bench inbox [--open-small 100] [--open-large 100000] [--closed 300000] [--requests 60] [--no-doc]

Builds two locations with INSERT ... SELECT generate_series (no ORM): one with `--open-small` open
items, one with `--open-large`, each with `--closed` resolved items of history, and a coordinator for
each. Then requests `/inbox/` (the full page, as each coordinator, through Django's test client)
alternately for the two, after a warm-up, and reports each side's p95 and query count. The reference
is the same page at 100 open items: the page must cost the same whatever the size of the queue.

Ends with one line: `inbox open_small=... open_large=... p95_small_ms=... p95_large_ms=... ratio=...
queries_small=... queries_large=...`.
"""

import argparse
import time
from datetime import UTC, datetime

from .database import revision, throwaway_database, write_doc

# Route mix of the generated items (safety escalations are rare); priorities as medspa.models.inbox.
ROUTES = ["booking", "rebooking", "booking", "member_support", "event_follow_up", "staff_review", "booking",
          "rebooking", "bundle_help", "data_quality", "provider_review", "booking", "rebooking", "booking",
          "member_support", "booking", "rebooking", "booking", "booking", "safety_escalation"]


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench inbox")
    parser.add_argument("--open-small", type=int, default=100)
    parser.add_argument("--open-large", type=int, default=100_000)
    parser.add_argument("--closed", type=int, default=300_000, help="Resolved items per location.")
    parser.add_argument("--requests", type=int, default=60, help="Timed requests per side.")
    parser.add_argument("--no-doc", action="store_true", help="Print the figures only.")
    return parser.parse_args(argv)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def build(open_small: int, open_large: int, closed: int) -> dict:
    from django.db import connection

    from medspa.models import Location, User
    from medspa.models.inbox import ROUTE_PRIORITY

    small = Location.objects.create(name="Bench Small", time_zone="America/Los_Angeles", sms_number="+13105550101")
    large = Location.objects.create(name="Bench Large", time_zone="America/Phoenix", sms_number="+14805550101")
    users = {}
    for name, location in (("small", small), ("large", large)):
        user = User.objects.create_user(f"bench-{name}", password="bench-inbox", role="coordinator")
        user.locations.set([location])
        users[name] = user
    priorities = [int(ROUTE_PRIORITY.get(r, 30)) for r in ROUTES]
    with connection.cursor() as cur:
        for location, n_open in ((small, open_small), (large, open_large)):
            cur.execute("""
                INSERT INTO medspa_handoff (location_id, route, priority, source, title, summary, reasons, context,
                    caller_name, caller_phone, value, due_at, status, outcome, resolution_note, resolved_at,
                    created_at)
                SELECT %(loc)s, (%(routes)s::text[])[1 + g %% %(k)s], (%(priorities)s::int[])[1 + g %% %(k)s],
                       'call', 'Caller ' || g || ' asked about a visit', '', '[]', '{}', 'Caller ' || g,
                       '+1' || (6025550000 + g)::text, (g %% 9) * 100,
                       date_trunc('minute', t) + interval '2 hours',
                       CASE WHEN g <= %(closed)s THEN 'done' ELSE 'open' END,
                       CASE WHEN g <= %(closed)s THEN 'other' ELSE '' END,
                       CASE WHEN g <= %(closed)s THEN 'Called back.' ELSE '' END,
                       CASE WHEN g <= %(closed)s THEN t + interval '1 hour' END, t
                FROM generate_series(1, %(closed)s + %(open)s) AS g,
                     LATERAL (SELECT now() - make_interval(secs => (%(closed)s + %(open)s - g) * 37) AS t) AS at""",
                        {"loc": location.pk, "routes": ROUTES, "priorities": priorities, "k": len(ROUTES),
                         "closed": closed, "open": n_open})
        cur.execute("VACUUM ANALYZE medspa_handoff")
    return users


def main(argv) -> int:
    args = parse(argv)
    with throwaway_database("medspa_bench_inbox") as url:
        from .database import machine, setup_django

        setup_django(url)
        t = time.perf_counter()
        users = build(args.open_small, args.open_large, args.closed)
        build_time = time.perf_counter() - t
        print(f"built {args.open_small:,} + {args.open_large:,} open items and {2 * args.closed:,} closed "
              f"in {build_time:.0f} s", flush=True)

        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        clients = {}
        for name, user in users.items():
            clients[name] = Client()
            clients[name].force_login(user)
        samples = {name: [] for name in clients}
        queries = {}
        for round_ in range(args.requests + 5):  # the first 5 rounds warm up and are not counted
            for name in (("small", "large") if round_ % 2 else ("large", "small")):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = clients[name].get("/inbox/")
                    elapsed = time.perf_counter() - started
                assert response.status_code == 200, response.status_code
                assert b'data-testid="inbox-queue"' in response.content
                queries[name] = len(captured)
                if round_ >= 5:
                    samples[name].append(elapsed * 1000)
        small, large = p95(samples["small"]), p95(samples["large"])
        line = (f"inbox open_small={args.open_small} open_large={args.open_large} p95_small_ms={small:.1f} "
                f"p95_large_ms={large:.1f} ratio={large / small:.2f} queries_small={queries['small']} "
                f"queries_large={queries['large']}")
        if not args.no_doc:
            rev = revision()
            write_doc(f"inbox-{args.open_large}", f"""\
`python -m bench inbox --open-small {args.open_small} --open-large {args.open_large} --closed {args.closed}`,
commit {rev}, {datetime.now(UTC):%Y-%m-%d}, on {machine()}. {args.requests} alternated requests per side after
5 warm-up rounds; {2 * args.closed:,} resolved items in the table. Build {build_time:.0f} s.

    {line}
""")
        print(line, flush=True)
    return 0
