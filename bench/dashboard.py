"""Time the owner dashboards on 1,000,000 visits and 1,000,000 inbox items in PostgreSQL.

    python -m bench dashboard [--visits N] [--handoffs N] [--runs N]

Uses DATABASE_URL if set (it must be a PostgreSQL database the benchmark may fill), otherwise starts a
throwaway PostgreSQL + Redis (tests/testservers.py). Rows are generated with set-based SQL
(INSERT ... SELECT generate_series), spread over two years at two locations; then each dashboard page
is rendered through the Django test client as an owner and the median of several runs is reported
together with the number of SQL queries. (Phase 2 adds calls, recall touches and memberships.)
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django():
    servers = None
    if not os.environ.get("DATABASE_URL"):
        sys.path.insert(0, str(ROOT / "tests"))
        import psycopg
        from testservers import TestServers

        servers = TestServers()
        os.environ.update(servers.start())
        dsn = f"host=127.0.0.1 port={servers.pg_port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE DATABASE medspa")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medspa.settings")
    os.environ.setdefault("VAR_DIR", "/tmp/medspa-bench-var")
    Path(os.environ["VAR_DIR"], "staticfiles").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
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


def build(visits: int, handoffs: int, patients: int) -> dict:
    from django.db import connection

    from medspa.models import Location, Service, User

    loc_a, _ = Location.objects.get_or_create(name="Bench Westside", defaults={"time_zone": "America/Los_Angeles"})
    loc_b, _ = Location.objects.get_or_create(name="Bench Scottsdale", defaults={"time_zone": "America/Phoenix"})
    Service.objects.get_or_create(name="Consultation", defaults={"category": "consult", "return_interval_days": 365})
    owner, _ = User.objects.get_or_create(username="bench-owner", defaults={"role": "owner"})
    owner.locations.set([loc_a, loc_b])
    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM medspa_visit")
        if cursor.fetchone()[0] >= visits:
            return {"owner": owner, "timings": {"reused existing rows": 0}}
        cursor.execute(SERVICES_SQL)
        services = cursor.fetchone()[0]
        params = {"loc_a": loc_a.pk, "loc_b": loc_b.pk, "patients": patients, "visits": visits,
                  "handoffs": handoffs, "services": services, "n_services": len(services)}
        started = time.perf_counter()
        cursor.execute(PATIENTS_SQL, params)
        cursor.execute("SELECT min(id) FROM medspa_patient WHERE last_name LIKE 'B%%' AND first_name = 'Patient'")
        params["first_patient"] = cursor.fetchone()[0]
        timings["patients"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(VISITS_SQL, params)
        timings["visits"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(HANDOFFS_SQL, params)
        timings["handoffs"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute("ANALYZE")
        timings["analyze"] = time.perf_counter() - started
    return {"owner": owner, "timings": timings}


PAGES = [
    ("First 30 days (overview)", "/dashboard/"),
    ("ROI model page", "/dashboard/roi/"),
    ("ROI API", "/api/v1/roi/?monthly_calls=520&bookable_share=0.48&lift=0.25&avg_visit_value=527"),
    ("CSV export: follow-up speed", "/dashboard/export/follow-up.csv"),
    ("Overview, 365-day range", "/dashboard/?start={year_ago}&end={today}"),
]


def time_pages(owner, runs: int) -> list[tuple[str, float, float, int]]:
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    client = Client()
    client.force_login(owner)
    today = timezone.now().date()
    results = []
    for label, url in PAGES:
        url = url.format(today=today, year_ago=today - timedelta(days=364))
        client.get(url)  # warm caches and connections
        samples = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        results.append((label, statistics.median(samples) * 1000, max(samples) * 1000, len(queries)))
    return results


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
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    servers = setup_django()
    try:
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        built = build(args.visits, args.handoffs, args.patients)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0]
        print(f"Machine: {machine()}; PostgreSQL {pg}")
        print(f"Data: {args.visits:,} visits, {args.handoffs:,} inbox items, {args.patients:,} patients")
        for step, seconds in built["timings"].items():
            print(f"  build {step}: {seconds:.1f} s")
        print(f"\n| Page | Median ms ({args.runs} runs) | Max ms | SQL queries |\n|---|---:|---:|---:|")
        for label, median, worst, queries in time_pages(built["owner"], args.runs):
            print(f"| {label} | {median:.0f} | {worst:.0f} | {queries} |")
    finally:
        if servers:
            servers.stop()


if __name__ == "__main__":
    main()
