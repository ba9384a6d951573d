"""Recall sweep at scale: 1,000,000 patients with history in PostgreSQL, 1% due.

Times the real sweep (`recall.sweep.sweep`, writing touches and links, queueing nothing) next to a
naive full-table evaluation (aggregate every patient x service's last visit and run the same clock
in Python), in the same run on the same data, and writes the figures to docs/benchmarks.md.

    python -m bench recall_sweep [--patients 1000000] [--due-share 0.01] [--keep]

Uses DATABASE_URL when it points at PostgreSQL (a database `medspa_bench` is created next to it),
otherwise starts the throwaway server from tests/testservers.py. Data is built with
INSERT ... SELECT generate_series, so it takes minutes, not hours.
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- recall-sweep:start -->", "<!-- recall-sweep:end -->"


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench recall_sweep")
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--due-share", type=float, default=0.01)
    parser.add_argument("--no-doc", action="store_true", help="Print the figures only.")
    return parser.parse_args(argv)


def database_url() -> tuple[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    servers = None
    if not url.startswith("postgres"):
        sys.path.insert(0, str(ROOT / "tests"))
        from testservers import TestServers

        servers = TestServers()
        url = servers.start()["DATABASE_URL"]
    base, _, _name = url.rpartition("/")
    import psycopg

    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS medspa_bench")
        conn.execute("CREATE DATABASE medspa_bench")
    return base + "/medspa_bench", servers


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medspa.settings")
    os.environ.setdefault("VAR_DIR", "/tmp/medspa-bench-var")
    os.environ["SMS_BACKEND"] = "console"
    Path(os.environ["VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(patients: int, due_share: float, now: datetime) -> dict:
    """Two locations, `patients` patients, ~1.5 visits each, one schedule per patient x last service."""
    from django.db import connection

    from medspa.models import Location
    from recall.schedules import rules_by_service

    west = Location.objects.create(name="Bench West", time_zone="America/Los_Angeles", sms_number="+13105550100")
    east = Location.objects.create(name="Bench East", time_zone="America/Phoenix", sms_number="+14805550100")
    rules = rules_by_service()
    service_ids = sorted(rules)
    every = max(1, round(1 / due_share))
    today = now.date()
    timings = {}
    with connection.cursor() as cur:
        t = time.perf_counter()
        cur.execute("""
            INSERT INTO medspa_patient (external_id, first_name, last_name, phone, email, location_id,
                sms_consent, sms_consent_source, sms_consent_at, created_at, updated_at)
            SELECT 'B' || g, 'Pat', 'Bench' || g, '+1' || (2015550000 + g)::text, '',
                   CASE WHEN g %% 5 < 3 THEN %(west)s ELSE %(east)s END,
                   true, 'import', %(now)s, %(now)s, %(now)s
            FROM generate_series(1, %(n)s) AS g""", {"n": patients, "west": west.pk, "east": east.pk, "now": now})
        timings["patients"] = time.perf_counter() - t
        # Each patient: one service (by id), a last completed visit, and for half an older one before it.
        # Patients with g % every == 0 are due today (window open); everyone else is upcoming.
        cur.execute("CREATE TEMP TABLE bench_plan AS SELECT p.id AS patient_id, p.location_id, "
                    "(%(services)s::bigint[])[1 + (g %% %(k)s)] AS service_id, g FROM "
                    "(SELECT id, location_id, substr(external_id, 2)::int AS g FROM medspa_patient "
                    "WHERE external_id LIKE 'B%%') p",
                    {"services": service_ids, "k": len(service_ids)})
        cur.execute("ALTER TABLE bench_plan ADD COLUMN interval_days int, ADD COLUMN last_visit date")
        cur.execute("UPDATE bench_plan b SET interval_days = r.interval_days FROM recall_recallrule r "
                    "WHERE r.service_id = b.service_id")
        cur.execute("""UPDATE bench_plan SET last_visit = %(today)s::date - CASE
                         WHEN g %% %(every)s = 0 THEN interval_days - 3        -- window open: due
                         ELSE ((g::bigint * 7919) %% GREATEST(interval_days - 8, 1))::int END  -- not yet due""",
                    {"today": today, "every": every})
        t = time.perf_counter()
        cur.execute("""
            INSERT INTO medspa_visit (patient_id, service_id, location_id, starts_at, status, value, source,
                                      notes, created_at, updated_at)
            SELECT patient_id, service_id, location_id, (last_visit + time '12:00') AT TIME ZONE 'UTC',
                   'completed', 450, 'import', '', %(now)s, %(now)s FROM bench_plan
            UNION ALL
            SELECT patient_id, service_id, location_id,
                   (last_visit - interval_days + time '12:00') AT TIME ZONE 'UTC',
                   'completed', 430, 'import', '', %(now)s, %(now)s FROM bench_plan WHERE g %% 2 = 0""",
                    {"now": now})
        timings["visits"] = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute("""
            INSERT INTO recall_recallschedule (patient_id, service_id, state, last_visit, due_date, touches_sent,
                kinds_sent, last_touch_number, trusted, quality_note, next_action_at, updated_at)
            SELECT patient_id, service_id,
                   CASE WHEN g %% %(every)s = 0 THEN 'due' ELSE 'upcoming' END,
                   last_visit, last_visit + interval_days, 0, '', 0, true, '',
                   CASE WHEN g %% %(every)s = 0 THEN %(now)s - interval '5 minutes'
                        ELSE ((last_visit + interval_days - 7) + time '15:00') AT TIME ZONE 'UTC' END,
                   %(now)s
            FROM bench_plan""", {"every": every, "now": now})
        timings["schedules"] = time.perf_counter() - t
        cur.execute("ANALYZE")
        cur.execute("SELECT count(*) FROM medspa_visit")
        visits = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM recall_recallschedule WHERE next_action_at <= %s", [now])
        due = cur.fetchone()[0]
    return {"visits": visits, "due": due, "timings": timings}


def naive(now: datetime) -> tuple[float, int]:
    """Without the next-action index: load every patient x service and run the clock in Python."""
    from django.db.models import Max, Q

    from medspa.models import Location, Visit
    from recall import clock
    from recall.schedules import rules_by_service

    rules = rules_by_service()
    zones = {loc.pk: loc.tz for loc in Location.objects.all()}
    t = time.perf_counter()
    owing = 0
    rows = (Visit.objects.order_by().values("patient_id", "service_id", "location_id")
            .annotate(last=Max("starts_at", filter=Q(status="completed")))
            .values_list("service_id", "location_id", "last"))
    for service_id, location_id, last in rows.iterator(chunk_size=20_000):
        if last is None:
            continue
        tz = zones[location_id]
        plan = clock.plan(now.astimezone(tz).date(), last_visit=last.astimezone(tz).date(), rule=rules[service_id])
        owing += plan.touch is not None
    return time.perf_counter() - t, owing


def _proc_line(path: str, prefix: str) -> str:
    try:
        with open(path) as fh:
            return next((line for line in fh if line.startswith(prefix)), "")
    except OSError:
        return ""


def machine() -> str:
    cpu = _proc_line("/proc/cpuinfo", "model name").split(":", 1)[-1].strip()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    total = _proc_line("/proc/meminfo", "MemTotal").split()
    mem = f", {int(total[1]) / 1024 / 1024:.0f} GB RAM" if len(total) > 1 else ""
    return f"{cpu or platform.processor()} ({os.cpu_count()} cores{mem}), PostgreSQL {pg.split()[0]}, " \
           f"Python {platform.python_version()}"


def write_doc(text: str) -> None:
    DOC.parent.mkdir(exist_ok=True)
    current = DOC.read_text() if DOC.exists() else "# Benchmarks\n\nMeasured on the project's own machines; " \
                                                     "each section is rewritten by its benchmark.\n"
    section = f"{START}\n{text.rstrip()}\n{END}"
    if START in current:
        current = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: section, current, flags=re.S)
    else:
        current = current.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(current)


def main(argv) -> int:
    args = parse(argv)
    url, servers = database_url()
    try:
        setup_django(url)
        # A fixed moment inside the sending window (10:00 in Los Angeles) so quiet hours never skew it.
        now = datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
        t = time.perf_counter()
        built = build(args.patients, args.due_share, now)
        build_time = time.perf_counter() - t
        print(f"built {args.patients:,} patients, {built['visits']:,} visits, {built['due']:,} due "
              f"in {build_time:.0f} s", flush=True)

        from django.db import connection

        from recall.models import Touch
        from recall.sweep import sweep

        with connection.cursor() as cur:
            cur.execute("EXPLAIN SELECT id FROM recall_recallschedule WHERE next_action_at <= %s "
                        "ORDER BY next_action_at LIMIT 500 FOR UPDATE SKIP LOCKED", [now])
            plan = " / ".join(r[0].strip() for r in cur.fetchall())
        from recall.sweep import link_url

        link_url("warm-up")  # a running worker has its URLconf loaded; don't time the first import
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        t = time.perf_counter()
        result = sweep(now, enqueue=False)
        sweep_time = time.perf_counter() - t
        if os.environ.get("BENCH_PROFILE"):
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        touches = Touch.objects.count()
        t = time.perf_counter()
        second = sweep(now, enqueue=False)  # nothing left: the cost of an idle sweep on a 1M table
        idle_time = time.perf_counter() - t
        naive_time, owing = naive(now)
        print(f"sweep: {result.schedules:,} schedules, {touches:,} touches in {sweep_time:.2f} s; "
              f"idle sweep {idle_time * 1000:.1f} ms; naive evaluation {naive_time:.1f} s ({owing:,} owing)")
        assert touches == built["due"] == len(result.touches), "every due schedule gets exactly one touch"
        assert second.schedules == 0 and not second.touches
        ratio = naive_time / sweep_time if sweep_time else float("inf")
        command = "python -m bench recall_sweep" + (f" --patients {args.patients}" if args.patients != 1_000_000
                                                    else "")
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=ROOT).stdout.strip()
        text = f"""## Recall sweep ({args.patients:,} patients, {args.due_share:.0%} due)

`make bench` (`{command}`), commit {rev}, {datetime.now(UTC):%Y-%m-%d}, on {machine()}.

| | |
|---|---|
| Data | {args.patients:,} patients, {built['visits']:,} visits, {args.patients:,} schedules, {built['due']:,} due now |
| Build (INSERT ... SELECT generate_series) | {build_time:.0f} s |
| **Sweep** (`recall.sweep.sweep`: lock, advance, write touch + link per due schedule) | \
**{sweep_time:.2f} s** for {result.schedules:,} schedules -> {touches:,} touches ({touches / sweep_time:,.0f}/s) |
| Idle sweep (nothing due, same table) | {idle_time * 1000:.1f} ms |
| Naive full-table evaluation (every patient x service's last visit, clock in Python, no writes) | \
{naive_time:.1f} s ({owing:,} owing) |
| Ratio naive / sweep | **{ratio:.1f}x** (and the naive pass has not written a single touch yet) |
| Ratio naive / idle sweep (the cost of finding the work) | **{naive_time / idle_time:,.0f}x** |

The sweep reads through the partial index `recall_next_action_idx`; PostgreSQL's plan for its batch query:
`{plan}`. Its cost follows the work due: an idle sweep on the same million rows takes
{idle_time * 1000:.1f} ms, while the naive pass grows with the whole table whatever is due.
"""
        print(text)
        if not args.no_doc:
            write_doc(text)
            print(f"wrote {DOC.relative_to(ROOT)}")
    finally:
        if servers is not None:
            servers.stop()
    return 0
