"""Time the owner dashboards on 1,000,000 visits and 1,000,000 inbox items in PostgreSQL.

    python -m bench dashboard [--visits N] [--handoffs N] [--runs N]

Ends with the owner overview at 30 and 365 days, alternated in the same run (after the beat task's daily
rollup has stored every ended day): `dashboard calls=... visits=... d30_s=... d365_s=... ratio=...`.

Uses DATABASE_URL if set (it must be a PostgreSQL database the benchmark may fill), otherwise starts a
throwaway PostgreSQL + Redis (tests/testservers.py). Rows are generated with set-based SQL
(INSERT ... SELECT generate_series), spread over two years at two locations; then each dashboard page
is rendered through the Django test client as an owner and the median of several runs is reported
together with the number of SQL queries.

Calls: one per inbox item (a call's handoff is one-to-one), with the same route, location and time, so
1,000,000 inbox items give 1,000,000 calls.
Recall: one schedule per patient, three touches each, a reply to every fifth touch and an
attribution for every tenth completed visit (RECALL_SQL). A fifth are attributed to one of ten bench events: the fifth
whose inbox item was resolved "booked consult", so the event consult look-ahead runs for each of them.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from .database import bench_environment, fresh_database

ROOT = Path(__file__).resolve().parent.parent


def setup_django():
    servers = None
    if not os.environ.get("DATABASE_URL"):
        sys.path.insert(0, str(ROOT / "tests"))
        from testservers import TestServers

        servers = TestServers()
        os.environ.update(servers.start())
        fresh_database(os.environ["DATABASE_URL"], "medspa")
    bench_environment()
    import django

    try:
        django.setup()
    except BaseException:
        if servers:  # never leave the throwaway servers running behind a failed start
            servers.stop()
        raise
    return servers


SERVICES_SQL = "SELECT array_agg(id ORDER BY id) FROM medspa_service"

PATIENTS_SQL = """
INSERT INTO medspa_patient (external_id, first_name, last_name, phone, email, location_id, sms_consent,
    sms_consent_source, created_at, updated_at)
SELECT '', 'Patient', 'B' || i, '', '', CASE WHEN i %% 2 = 0 THEN %(loc_a)s ELSE %(loc_b)s END, true,
    'import', now(), now()
FROM generate_series(0, %(patients)s - 1) AS i
"""

# Patient k = first_patient + k lives at location (k % 2 == 0 ? A : B).
VISITS_SQL = """
INSERT INTO medspa_visit (patient_id, service_id, provider_id, location_id, starts_at, status, value, source,
    notes, created_at, updated_at)
SELECT %(first_patient)s + k, (%(services)s::bigint[])[1 + (i %% %(n_services)s)], NULL,
    CASE WHEN k %% 2 = 0 THEN %(loc_a)s ELSE %(loc_b)s END,
    starts, status, CASE WHEN status = 'cancelled' THEN 0 ELSE 150 + (i * 37) %% 900 END, 'import', '',
    starts - make_interval(days => ((i %% 21))::int), now()
FROM (
    SELECT i, (i * 7919) %% %(patients)s AS k,
        CASE WHEN i %% 10 = 0 THEN now() + make_interval(hours => ((i %% 1440))::int)
             ELSE now() - make_interval(mins => ((i * 13) %% (730 * 24 * 60))::int) END AS starts,
        CASE WHEN i %% 10 = 0 THEN 'booked' WHEN i %% 20 = 1 THEN 'no_show' WHEN i %% 20 = 3 THEN 'cancelled'
             ELSE 'completed' END AS status
    FROM generate_series(0::bigint, %(visits)s - 1) AS i
) AS s
"""

HANDOFFS_SQL = """
INSERT INTO medspa_handoff (location_id, patient_id, route, priority, source, title, summary, reasons, context,
    caller_name, caller_phone, value, due_at, status, claimed_at, resolved_at, outcome, resolution_note, created_at)
SELECT CASE WHEN i %% 2 = 0 THEN %(loc_a)s ELSE %(loc_b)s END, NULL, route, 30, 'call', 'Bench item',
    CASE WHEN i %% 3 = 0 THEN '' ELSE 'Caller asked about a treatment.' END, '[]', '{}', '', '', 0,
    created + interval '2 hours',
    CASE WHEN i %% 5 = 0 THEN 'open' WHEN i %% 5 = 1 THEN 'claimed' ELSE 'done' END,
    CASE WHEN i %% 5 = 0 THEN NULL ELSE created + make_interval(mins => ((i * 7) %% 600)::int) END,
    CASE WHEN i %% 5 >= 2 THEN created + make_interval(mins => 700) END,
    CASE WHEN i %% 5 = 2 THEN 'booked_consult' WHEN i %% 5 = 3 THEN 'booked_treatment'
         WHEN i %% 5 = 4 THEN 'no_answer' ELSE '' END,
    CASE WHEN i %% 5 >= 2 THEN 'Called back.' ELSE '' END,
    created
FROM (
    SELECT i, now() - make_interval(mins => ((i * 11) %% (730 * 24 * 60))::int) AS created,
        (ARRAY['booking','rebooking','event_follow_up','member_support','bundle_help','staff_review',
               'provider_review','safety_escalation'])[1 + (i %% 8)] AS route
    FROM generate_series(0::bigint, %(handoffs)s - 1) AS i
) AS s
"""


EVENTS_SQL = """
INSERT INTO calls_event (location_id, name, kind, starts_at, ends_at, offer_text, source_codes, tracking_number,
    created_at)
SELECT CASE WHEN i %% 2 = 0 THEN %(loc_a)s ELSE %(loc_b)s END, 'Bench event ' || i,
    (ARRAY['open_house','vip_night','injectable_day','laser_special','seasonal'])[1 + i %% 5],
    now() - make_interval(days => (i * 70)::int), now() - make_interval(days => (i * 70)::int) + interval '4 hours',
    '', '[]', '', now()
FROM generate_series(0, 9) AS i
"""

# Call k is the call behind inbox item k: same location, route and moment (a few minutes earlier).
CALLS_SQL = """
INSERT INTO calls_call (location_id, channel, external_id, from_number, to_number, caller_name, email, patient_id,
    started_at, ended_at, after_hours, event_id, route, reasons, matches, fields, answers_given, not_promised,
    next_action, completeness, summary, status, voice_state, handoff_id, finalized_at, created_at)
SELECT h.location_id, 'voice_agent', '', '', '', 'Bench caller', '',
    CASE WHEN k %% 3 = 0 THEN %(first_patient)s + (k * 7919) %% %(patients)s END,
    h.created_at - interval '4 minutes', h.created_at, k %% 4 = 0,
    CASE WHEN k %% 5 = 3 THEN (%(events)s::bigint[])[1 + (k / 5) %% 10] END,
    h.route, '[]', '{}',
    jsonb_build_object(
        'event_source', (ARRAY['instagram','email','google','referral','flyer',''])[1 + k %% 6],
        'service_interest', CASE WHEN k %% 7 = 0 THEN '[]'::jsonb
            ELSE jsonb_build_array((%(service_names)s::text[])[1 + k %% %(n_services)s]) END,
        'provider_preference', CASE WHEN k %% 4 = 1 THEN 'Bench Provider ' || (k %% 3) ELSE '' END),
    CASE WHEN k %% 3 = 0 THEN '[{"topic": "deposits", "version": 1, "wording": "Bench"}]'::jsonb ELSE '[]' END,
    CASE WHEN k %% 5 = 1 THEN '["Refund request: staff decide"]'::jsonb ELSE '[]' END,
    '', (k %% 11) / 10.0, '{}', 'completed', '{}', h.id, h.created_at, h.created_at
FROM (SELECT h.*, row_number() OVER (ORDER BY h.id) AS k FROM medspa_handoff h WHERE h.title = 'Bench item') AS h
WHERE k <= %(calls)s
"""


def build(visits: int, handoffs: int, patients: int, calls: int) -> dict:
    from django.db import connection

    from medspa.models import Location, Service, User

    loc_a, _ = Location.objects.get_or_create(name="Bench Westside", defaults={"time_zone": "America/Los_Angeles"})
    loc_b, _ = Location.objects.get_or_create(name="Bench Scottsdale", defaults={"time_zone": "America/Phoenix"})
    Service.objects.get_or_create(name="Consultation", defaults={"category": "consult", "return_interval_days": 365})
    owner, _ = User.objects.get_or_create(username="bench-owner", defaults={"role": "owner"})
    owner.locations.set([loc_a, loc_b])
    timings = {}
    with connection.cursor() as cursor:
        cursor.execute(SERVICES_SQL)
        services = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(name ORDER BY id) FROM medspa_service")
        params = {"loc_a": loc_a.pk, "loc_b": loc_b.pk, "patients": patients, "visits": visits,
                  "handoffs": handoffs, "calls": calls, "services": services, "n_services": len(services),
                  "service_names": cursor.fetchone()[0]}
        cursor.execute("SELECT count(*) FROM medspa_visit")
        if cursor.fetchone()[0] < visits:
            started = time.perf_counter()
            cursor.execute(PATIENTS_SQL, params)
            timings["patients"] = time.perf_counter() - started
            started = time.perf_counter()
            cursor.execute(VISITS_SQL, {**params, "first_patient": first_patient(cursor)})
            timings["visits"] = time.perf_counter() - started
            started = time.perf_counter()
            cursor.execute(HANDOFFS_SQL, params)
            timings["handoffs"] = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM calls_call")
        if cursor.fetchone()[0] < calls:
            started = time.perf_counter()
            cursor.execute(EVENTS_SQL, params)
            cursor.execute("SELECT array_agg(id ORDER BY id) FROM calls_event WHERE name LIKE 'Bench event %%'")
            params["events"] = cursor.fetchone()[0]
            cursor.execute(CALLS_SQL, {**params, "first_patient": first_patient(cursor)})
            timings["calls"] = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM recall_touch")
        if cursor.fetchone()[0] == 0:
            started = time.perf_counter()
            cursor.execute("TRUNCATE recall_recallschedule CASCADE")  # what an interrupted build left
            for sql in RECALL_SQL:
                cursor.execute(sql, {**params, "first_patient": first_patient(cursor)})
            timings["recall"] = time.perf_counter() - started
        if timings:
            started = time.perf_counter()
            cursor.execute("VACUUM ANALYZE")
            timings["analyze"] = time.perf_counter() - started
        else:
            timings["reused existing rows"] = 0
    return {"owner": owner, "timings": timings}


def first_patient(cursor) -> int:
    cursor.execute("SELECT min(id) FROM medspa_patient WHERE last_name LIKE 'B%%' AND first_name = 'Patient'")
    return cursor.fetchone()[0]


# (label, url, clear the cache before each run: the ROI defaults are cached for five minutes)
PAGES = [
    ("First 30 days (overview, with call metrics)", "/dashboard/", False),
    ("ROI model page, defaults measured (cache cold)", "/dashboard/roi/", True),
    ("ROI model page, defaults cached (htmx re-render)", "/dashboard/roi/", False),
    ("ROI API (cache cold)", "/api/v1/roi/?monthly_calls=520&bookable_share=0.48&lift=0.25&avg_visit_value=527", True),
    ("CSV export: follow-up speed", "/dashboard/export/follow-up.csv", False),
    ("CSV export: calls by service category", "/dashboard/export/calls-by-category.csv", False),
    ("Overview, 365-day range", "/dashboard/?start={year_ago}&end={today}", False),
    ("Recall", "/dashboard/recall/", False),
    ("Recall, 365-day range", "/dashboard/recall/?start={year_ago}&end={today}", False),
]


def time_pages(owner, runs: int) -> list[tuple[str, float, float, int]]:
    from datetime import timedelta

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    client = Client()
    client.force_login(owner)
    today = timezone.now().date()
    results = []
    for label, url, cold in PAGES:
        url = url.format(today=today, year_ago=today - timedelta(days=364))
        client.get(url)  # warm caches and connections
        samples = []
        for _ in range(runs):
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        results.append((label, statistics.median(samples) * 1000, max(samples) * 1000, len(queries)))
    return results

# Recall: one schedule per patient (service by patient number, states in rotation), three touches each
# spread over two years, a reply to every fifth touch, and every tenth completed visit recovered by
# its patient's first touch.
RECALL_SQL = [
    """
INSERT INTO recall_recallschedule (patient_id, service_id, state, last_visit, due_date, touches_sent, kinds_sent,
    last_touch_number, trusted, quality_note, updated_at)
SELECT %(first_patient)s + k, (%(services)s::bigint[])[1 + (k %% %(n_services)s)],
    (ARRAY['upcoming','due','late','lapsed','booked','paused'])[1 + k %% 6],
    (now() - make_interval(days => (k %% 400)::int))::date, (now() - make_interval(days => (k %% 400)::int - 90))::date,
    3, 'late,on_time,reactivation', 3, true, '', now()
FROM generate_series(0, %(patients)s - 1) AS k
""",
    """
INSERT INTO recall_touch (schedule_id, patient_id, service_id, source, context, number, kind, idempotency_key, body,
    "to", from_number, status, attempts, last_error, not_before, sent_at, created_at)
SELECT s.id, s.patient_id, s.service_id, 'recall', '{}', n, (ARRAY['on_time','late','reactivation'])[n],
    s.id || ':' || n, 'Bench', '', '', 'delivered', 1, '', sent, sent, sent
FROM recall_recallschedule s CROSS JOIN generate_series(1, 3) AS n,
    LATERAL (SELECT now() - make_interval(mins => ((s.id * 3 + n) * 97 %% (730 * 24 * 60))::int) AS sent) AS t
""",
    """
INSERT INTO recall_inboundmessage (message_sid, from_number, to_number, body, opt_out_type, media, received_at,
    kind, touch_id, reply_body, reply_sid)
SELECT 'SMbench' || t.id, '', '', 'Yes please', '', '[]', t.sent_at + interval '2 hours', 'reply', t.id, '', ''
FROM recall_touch t WHERE t.id %% 5 = 0
""",
    """
INSERT INTO recall_attribution (visit_id, touch_id, kind, source, service_id, location_id, value, visit_at,
    created_at)
SELECT v.id, t.id, t.kind, 'recall', v.service_id, v.location_id, v.value, v.starts_at, v.starts_at
FROM medspa_visit v JOIN recall_recallschedule s ON s.patient_id = v.patient_id
    JOIN recall_touch t ON t.schedule_id = s.id AND t.number = 1
WHERE v.id %% 10 = 1 AND v.status = 'completed'
""",
]


def roll_up() -> float:
    """Fill the daily rollup the way beat does, batch after batch, until every ended day is stored."""
    from medspa.models import DailyFigures
    from medspa.tasks import roll_up_dashboards

    started = time.perf_counter()
    if not DailyFigures.objects.exists():
        while roll_up_dashboards():
            pass
    return time.perf_counter() - started


def overview_pair(owner, runs: int) -> tuple[float, float]:
    """Median seconds of the overview at 30 and at 365 days, alternated run by run."""
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    client = Client()
    client.force_login(owner)
    today = timezone.now().date()
    urls = {30: f"/dashboard/?start={today - timedelta(days=29)}&end={today}",
            365: f"/dashboard/?start={today - timedelta(days=364)}&end={today}"}
    samples = {30: [], 365: []}
    for days in (30, 365):
        client.get(urls[days])  # warm
    for _ in range(runs):
        for days in (30, 365):
            started = time.perf_counter()
            response = client.get(urls[days])
            samples[days].append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
    return statistics.median(samples[30]), statistics.median(samples[365])


def profile_overview(owner, days: int = 365, top: int = 25) -> None:
    """One overview request at `days` under cProfile: its SQL statements by time, then the slowest functions."""
    import cProfile
    import pstats
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    client = Client()
    client.force_login(owner)
    today = timezone.now().date()
    url = f"/dashboard/?start={today - timedelta(days=days - 1)}&end={today}"
    client.get(url)  # warm
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        profiler.enable()
        client.get(url)
        profiler.disable()
        elapsed = time.perf_counter() - started
    sql_s = sum(float(q["time"]) for q in queries.captured_queries)
    print(f"\nProfile of {url}: {elapsed:.3f} s, {len(queries)} statements, {sql_s:.3f} s in SQL")
    for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:10]:
        print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:160]}")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def machine() -> str:
    cpus = os.cpu_count()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{model}, {cpus} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--handoffs", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=1_000_000, help="at most --handoffs (one inbox item each)")
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--summary-only", action="store_true", help="only the 30/365-day overview line")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one 365-day overview (its SQL by time, then cProfile's slowest calls)")
    args = parser.parse_args(argv)

    servers = setup_django()
    try:
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        built = build(args.visits, args.handoffs, args.patients, min(args.calls, args.handoffs))
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0]
        print(f"Machine: {machine()}; PostgreSQL {pg}")
        print(f"Data: {args.visits:,} visits, {args.handoffs:,} inbox items, {min(args.calls, args.handoffs):,} calls, "
              f"{args.patients:,} patients")
        for step, seconds in built["timings"].items():
            print(f"  build {step}: {seconds:.1f} s")
        print(f"  daily rollup (beat task until done): {roll_up():.1f} s")
        print(f"\n| Page | Median ms ({args.runs} runs) | Max ms | SQL queries |\n|---|---:|---:|---:|")
        if not args.summary_only:
            for label, median, worst, queries in time_pages(built["owner"], args.runs):
                print(f"| {label} | {median:.0f} | {worst:.0f} | {queries} |")
        if args.profile:
            profile_overview(built["owner"])
        d30, d365 = overview_pair(built["owner"], args.runs)
        calls = min(args.calls, args.handoffs)
        print(f"dashboard calls={calls} visits={args.visits} d30_s={d30:.3f} d365_s={d365:.3f} "
              f"ratio={d365 / d30:.2f}")
    finally:
        if servers:
            servers.stop()


if __name__ == "__main__":
    main()
