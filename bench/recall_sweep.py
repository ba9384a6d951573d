"""Recall sweep at scale, beside its own references in the same run.

    python -m bench recall_sweep [--patients 1000000] [--due 10000] [--rounds 3] [--no-doc]

Builds PostgreSQL data with INSERT ... SELECT generate_series (no ORM): `--patients` patients, one
recall schedule each, a sent touch and its link for every second patient (a table with history), and
`--due` schedules whose next action time has come (window open: each owes an on-time text). Then, in
alternating order, resetting the due rows between runs (untimed, with VACUUM and a CHECKPOINT):

- ours: `recall.sweep.sweep()` (lock, decide, write schedule progress and owed touches; queueing
  nothing; the touches are made by the dispatcher's first task, recall.owed, and their wording and link
  at send, recall.outbox_text);
- same_shape: one SQL statement per batch of the same shape on our tables, writing the same rows ours
  writes (claim due schedules through the due queue with SKIP LOCKED, read their patients' facts as ours
  does, from the schedule row, advance them, file them again at their next times, insert the owed touch
  row, recall.models.OwedTouch): what the database alone costs;
- floor: the minimal statement per batch on the bench's own scratch tables (claim with SKIP LOCKED,
  advance, insert an outbox row).

Ends with one line: `recall_sweep patients=... due=... ours_s=... floor_s=... same_shape_s=...
ratio_floor=... ratio_same_shape=...` (times: medians; ratios: the median of each round's own ratio).

With `--against N` (for example `--patients 10000000 --against 1000000`) it builds both sizes in two
databases of one server and alternates ours and the same-shape statement between them, round by round,
ending with `recall_sweep_scale patients=... against=... due=... ours_s=... ours_against_s=...
ratio_size=... same_shape_s=... same_shape_against_s=... ratio_size_same_shape=...`: the growth with the
table, measured beside itself in one run rather than across two runs at different moments.

Uses DATABASE_URL when it is PostgreSQL (database
`medspa_bench` next to it), otherwise a throwaway server from tests/testservers.py.
"""

import argparse
import contextlib
import time
from datetime import UTC, datetime

from .database import fresh_database, median, revision, throwaway_database, write_doc

BATCH = 500  # recall.sweep.BATCH_SIZE; the references use the same batch size


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench recall_sweep")
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="Timed runs of each (after one warm-up each).")
    parser.add_argument("--against", type=int, default=0, metavar="PATIENTS",
                        help="Also build this many patients (same due count) in a second database on the same "
                             "server and time ours at both sizes alternately: how cost grows with the table.")
    parser.add_argument("--shared-buffers", default="", metavar="SIZE",
                        help="PostgreSQL's shared_buffers for the throwaway server (default: PostgreSQL's 128MB), "
                             "e.g. 4GB as a server sized for a clinic chain would have.")
    parser.add_argument("--no-doc", action="store_true", help="Print the figures only.")
    return parser.parse_args(argv)


LOADED = ("medspa_patient", "recall_recallschedule", "recall_due", "recall_touch", "recall_recalllink")


@contextlib.contextmanager
def indexes_built_after(cursor, tables=LOADED):
    """Bulk load without secondary indexes and constraints, then build them once (sorted, much faster
    than maintaining them row by row); the tables end exactly as the migrations made them."""
    cursor.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                      WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('u', 'f')
                      ORDER BY contype DESC""", [list(tables)])  # unique before foreign keys when re-added
    constraints = cursor.fetchall()
    cursor.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)
                      AND indexname NOT IN (SELECT conname FROM pg_constraint)""", [list(tables)])
    indexes = cursor.fetchall()
    for table, name, _definition in reversed(constraints):
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    for _name, definition in indexes:
        cursor.execute(definition)
    for table, name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def build(patients: int, due: int, now: datetime) -> dict:
    from django.db import connection

    from medspa.models import Location
    from recall.schedules import rules_by_service

    west = Location.objects.create(name="Bench West", time_zone="America/Los_Angeles", sms_number="+13105550100")
    east = Location.objects.create(name="Bench East", time_zone="America/Phoenix", sms_number="+14805550100")
    service_ids = sorted(rules_by_service())
    every = max(1, patients // due)
    params = {"n": patients, "west": west.pk, "east": east.pk, "now": now, "every": every, "today": now.date(),
              "services": service_ids, "k": len(service_ids), "due": due}
    timings = {}
    with connection.cursor() as cur, indexes_built_after(cur):
        t = time.perf_counter()
        cur.execute("""
            INSERT INTO medspa_patient (id, external_id, first_name, last_name, phone, email, location_id,
                sms_consent, sms_consent_source, sms_consent_at, created_at, updated_at)
            SELECT g, 'B' || g, 'Pat', 'Bench' || g, '+1' || (2015550000 + g)::text, '',
                   CASE WHEN g %% 5 < 3 THEN %(west)s ELSE %(east)s END,
                   true, 'import', %(now)s, %(now)s, %(now)s
            FROM generate_series(1, %(n)s) AS g""", params)
        cur.execute("SELECT setval(pg_get_serial_sequence('medspa_patient', 'id'), %s)", [patients])
        timings["patients"] = time.perf_counter() - t
        # One schedule per patient. Patients with g % every == 0 (the first `due` of them) are due now with
        # the window open (still `upcoming`, as the visit left them: the sweep moves them to `due`); everyone else
        # comes due later. Every second patient has a touch from a past cycle.
        t = time.perf_counter()
        cur.execute("ALTER TABLE recall_recallschedule DISABLE TRIGGER recall_due_file_inserted")
        cur.execute("""
            INSERT INTO recall_recallschedule (id, patient_id, service_id, state, last_visit, due_date, touches_sent,
                kinds_sent, last_touch_at, last_touch_number, trusted, quality_note, next_action_at, updated_at)
            SELECT g, g, x.service_id, 'upcoming',
                   x.last_visit, x.last_visit + x.interval_days, 0, '',
                   CASE WHEN g %% 2 = 0 THEN %(now)s - interval '200 days' END, (g %% 2 = 0)::int, true, '',
                   CASE WHEN x.is_due THEN %(now)s - interval '5 minutes'
                        ELSE ((x.last_visit + x.interval_days - 7) + time '15:00') AT TIME ZONE 'UTC' END,
                   %(now)s
            FROM generate_series(1, %(n)s) AS g
            CROSS JOIN LATERAL (
                SELECT r.service_id, r.interval_days, (g %% %(every)s = 0 AND g / %(every)s <= %(due)s) AS is_due,
                       %(today)s::date - CASE WHEN g %% %(every)s = 0 AND g / %(every)s <= %(due)s
                                              THEN r.interval_days - 3
                                              ELSE ((g::bigint * 7919) %% GREATEST(r.interval_days - 8, 1))::int END
                           AS last_visit
                FROM recall_recallrule r WHERE r.service_id = (%(services)s::bigint[])[1 + (g %% %(k)s)]
            ) AS x""", params)
        cur.execute("SELECT setval(pg_get_serial_sequence('recall_recallschedule', 'id'), %s)", [patients])
        cur.execute("ALTER TABLE recall_recallschedule ENABLE TRIGGER recall_due_file_inserted")
        # The due queue as migration recall 0018 fills it from an existing table, in due-time order (as a queue
        # in use is: entries come in as times are set, and times set together come due together).
        cur.execute("""INSERT INTO recall_due (schedule_id, at) SELECT id, next_action_at FROM recall_recallschedule
                       WHERE next_action_at IS NOT NULL ORDER BY next_action_at, id""")
        timings["schedules"] = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute("""
            INSERT INTO recall_touch (id, patient_id, source, schedule_id, service_id, number, kind, idempotency_key,
                context, body, "to", from_number, status, provider_sid, attempts, last_error, not_before,
                claimed_at, send_started_at, sent_at, delivered_at, created_at)
            SELECT s.id, s.patient_id, 'recall', s.id, s.service_id, 1, 'on_time', s.id || ':1', '{}',
                   'Hi Pat, it''s Bench West. You''re coming up on the time for your next visit with us. '
                   || 'Pick a time that suits you here: https://frontdesk.example.com/r/' || md5(s.id::text)
                   || '/ Reply STOP to opt out.',
                   '+1' || (2015550000 + s.id)::text, '+13105550100', 'delivered', 'SMbench' || s.id, 1, '', t, t,
                   t, t, t, t
            FROM recall_recallschedule s, LATERAL (SELECT %(now)s - interval '200 days' AS t) AS at
            WHERE s.id %% 2 = 0""", params)
        cur.execute("SELECT setval(pg_get_serial_sequence('recall_touch', 'id'), %s)", [patients])
        cur.execute("""
            INSERT INTO recall_recalllink (patient_id, schedule_id, touch_id, token_hash, created_at, expires_at)
            SELECT patient_id, schedule_id, id, md5(id::text) || md5('x' || id), created_at,
                   created_at + interval '30 days'
            FROM recall_touch""")
        timings["history"] = time.perf_counter() - t
        t = time.perf_counter()
    timings["indexes"] = time.perf_counter() - t
    with connection.cursor() as cur:
        # The scratch tables of the floor: a schedule (id, next action time, touches) and an outbox.
        cur.execute("""
            CREATE TABLE bench_floor_schedule (id bigint PRIMARY KEY, next_at timestamptz, touches int NOT NULL);
            CREATE INDEX bench_floor_next_idx ON bench_floor_schedule (next_at) WHERE next_at IS NOT NULL;
            INSERT INTO bench_floor_schedule SELECT id, next_action_at, 0 FROM recall_recallschedule;
            CREATE TABLE bench_floor_outbox (id bigserial PRIMARY KEY, schedule_id bigint NOT NULL,
                                             number int NOT NULL, body text NOT NULL);
            CREATE TABLE bench_due AS SELECT id, state, next_action_at, touches_sent, kinds_sent, last_touch_at,
                last_touch_number FROM recall_recallschedule WHERE next_action_at <= %(now)s;
        """, params)
        cur.execute("VACUUM ANALYZE")
        cur.execute("SELECT count(*) FROM bench_due")
        due_rows = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM recall_touch")
        max_touch = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM recall_recalllink")
        max_link = cur.fetchone()[0]
    print("build: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()), flush=True)
    return {"due": due_rows, "max_touch": max_touch, "max_link": max_link, "timings": timings, "now": now}


def reset(built: dict) -> None:
    """Put every due row back as it was before a run (untimed), and vacuum what the run left behind."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM recall_recalllink WHERE id > %s", [built["max_link"]])
        cur.execute("DELETE FROM recall_touch WHERE id > %s", [built["max_touch"]])
        # The due rows' entries the run filed at their next times; putting the due times back (earlier) files
        # them again, by the queue's trigger.
        cur.execute("DELETE FROM recall_due AS q USING bench_due AS b WHERE q.schedule_id = b.id AND q.at > %s",
                    [built["now"]])
        cur.execute("""UPDATE recall_recallschedule s SET state = b.state, next_action_at = b.next_action_at,
                           touches_sent = b.touches_sent, kinds_sent = b.kinds_sent, last_touch_at = b.last_touch_at,
                           last_touch_number = b.last_touch_number FROM bench_due b WHERE s.id = b.id""")
        cur.execute("TRUNCATE bench_floor_outbox, recall_owedtouch")
        cur.execute("UPDATE bench_floor_schedule f SET next_at = b.next_action_at, touches = 0 FROM bench_due b "
                    "WHERE f.id = b.id")
        cur.execute("VACUUM recall_recallschedule, recall_due, recall_touch, recall_recalllink, recall_owedtouch, "
                    "bench_floor_schedule, bench_floor_outbox")
        # This reset has just dirtied tens of thousands of pages; without this, the next timed run would write
        # them out to make room for its own reads. Between two sweeps (five minutes apart) PostgreSQL's
        # background writer and checkpointer have long written them, so each run starts, as a sweep does,
        # from clean buffers.
        cur.execute("CHECKPOINT")


def timed(label: str, run, built: dict) -> float:
    """Put the due rows back (untimed), run once, check a touch was written per due row: the seconds taken."""
    reset(built)
    t = time.perf_counter()
    written = run()
    elapsed = time.perf_counter() - t
    assert written == built["due"], f"{label} wrote {written} rows for {built['due']} due"
    return elapsed


def run_ours(now: datetime) -> int:
    from recall.sweep import sweep

    return len(sweep(now, enqueue=False).owed)


SAME_SHAPE = """
    WITH locked AS (
        SELECT s.id, s.last_touch_number + 1 AS number, s.patient_location_id, s.patient_has_phone,
               s.patient_sms_consent, q.ctid AS entry
        FROM recall_due q JOIN recall_recallschedule s ON s.id = q.schedule_id
        WHERE q.at <= %(now)s ORDER BY q.at LIMIT %(batch)s FOR UPDATE OF q, s SKIP LOCKED
    ), taken AS (
        DELETE FROM recall_due q USING locked d WHERE q.ctid = d.entry
    ), advanced AS (
        UPDATE recall_recallschedule s SET state = 'due', next_action_at = %(now)s + interval '14 days',
            touches_sent = s.touches_sent + 1, kinds_sent = 'on_time', last_touch_at = %(now)s,
            last_touch_number = d.number, updated_at = now()
        FROM locked d
        WHERE s.id = d.id AND d.patient_sms_consent AND d.patient_location_id IS NOT NULL AND d.patient_has_phone
        RETURNING s.id, s.last_touch_number, s.next_action_at
    ), filed AS (
        INSERT INTO recall_due (schedule_id, at) SELECT id, next_action_at FROM advanced
    )
    INSERT INTO recall_owedtouch (schedule_id, number, kind, created_at)
    SELECT id, last_touch_number, 'on_time', %(now)s FROM advanced"""

FLOOR = """
    WITH due AS (
        SELECT id FROM bench_floor_schedule WHERE next_at <= %(now)s ORDER BY next_at LIMIT %(batch)s
        FOR UPDATE SKIP LOCKED
    ), advanced AS (
        UPDATE bench_floor_schedule s SET next_at = NULL, touches = s.touches + 1 FROM due WHERE s.id = due.id
        RETURNING s.id, s.touches
    )
    INSERT INTO bench_floor_outbox (schedule_id, number, body)
    SELECT id, touches, 'Hi, time for your next visit: https://frontdesk.example.com/r/' || id FROM advanced"""


def run_statement(sql: str, now: datetime) -> int:
    """One statement per batch, each batch its own transaction (as the sweep commits per batch)."""
    from django.db import connection

    total = 0
    with connection.cursor() as cur:
        while True:
            cur.execute(sql, {"now": now, "batch": BATCH})
            if not cur.rowcount:
                return total
            total += cur.rowcount


def memory(args) -> tuple[str, str, str]:
    """With --shared-buffers: its key=value for the output line, a suffix for the doc's marker, its flag."""
    size = args.shared_buffers
    return (f" shared_buffers={size}", f"-shared-buffers-{size}", f" --shared-buffers {size}") if size else ("", "", "")


def round_ratio(ours: list[float], reference: list[float]) -> float:
    """The median of each round's own ratio: a machine that speeds up or slows down between rounds moves
    both sides of each ratio alike."""
    return median([o / r for o, r in zip(ours, reference, strict=True)])


def use_database(name: str) -> None:
    """Point Django's connection at another database of the same server (the scale comparison)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def main(argv) -> int:
    args = parse(argv)
    options = f"-c shared_buffers={args.shared_buffers}" if args.shared_buffers else ""
    with throwaway_database(f"medspa_bench_sweep_{args.patients}", options) as url:
        from .database import setup_django

        setup_django(url)
        # A fixed moment inside the sending window (10:00 in Los Angeles) so quiet hours never skew it.
        now = datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
        t = time.perf_counter()
        built = build(args.patients, args.due, now)
        build_time = time.perf_counter() - t
        print(f"built {args.patients:,} patients and schedules, {built['max_touch']:,} past touches, "
              f"{built['due']:,} due in {build_time:.0f} s", flush=True)
        if args.against:
            return scale(args, url, now, built)
        variants = {"ours": lambda: run_ours(now), "same_shape": lambda: run_statement(SAME_SHAPE, now),
                    "floor": lambda: run_statement(FLOOR, now)}
        times = {name: [] for name in variants}
        order = list(variants)
        for round_ in range(args.rounds + 1):  # round 0 warms caches and is not counted
            for name in order:
                elapsed = timed(name, variants[name], built)
                if round_:
                    times[name].append(elapsed)
                print(f"round {round_} {name}: {elapsed:.3f} s", flush=True)
            order = order[1:] + order[:1]
        reset(built)
        ours, same, floor = median(times["ours"]), median(times["same_shape"]), median(times["floor"])
        line = (f"recall_sweep patients={args.patients} due={built['due']} ours_s={ours:.3f} floor_s={floor:.3f} "
                f"same_shape_s={same:.3f} ratio_floor={round_ratio(times['ours'], times['floor']):.2f} "
                f"ratio_same_shape={round_ratio(times['ours'], times['same_shape']):.2f}{memory(args)[0]}")
        if not args.no_doc:
            from .database import machine

            rev = revision()
            write_doc(f"recall-sweep-{args.patients}{memory(args)[1]}", f"""\
`python -m bench recall_sweep --patients {args.patients} --due {args.due}{memory(args)[2]}`, commit {rev},
{datetime.now(UTC):%Y-%m-%d}, on {machine()}. Build {build_time:.0f} s. Medians of {args.rounds} alternated runs:

    {line}
""")
        print(line, flush=True)
    return 0


def scale(args, url: str, now: datetime, built: dict) -> int:
    """Ours and the same-shape statement at two table sizes on one server, alternated round by round."""
    from django.core.management import call_command

    big, small = f"medspa_bench_sweep_{args.patients}", f"medspa_bench_sweep_{args.against}"
    fresh_database(url, small)
    use_database(small)
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    sizes = {args.patients: (big, built), args.against: (small, build(args.against, args.due, now))}
    print(f"built {args.against:,} patients in {time.perf_counter() - t:.0f} s", flush=True)
    variants = {"ours": lambda: run_ours(now), "same_shape": lambda: run_statement(SAME_SHAPE, now)}
    times = {(name, size): [] for name in variants for size in sizes}
    order = list(sizes)
    try:
        for round_ in range(args.rounds + 1):  # round 0 warms caches and is not counted
            for size in order:
                name_db, size_built = sizes[size]
                use_database(name_db)
                for name, run in variants.items():
                    elapsed = timed(name, run, size_built)
                    if round_:
                        times[(name, size)].append(elapsed)
                    print(f"round {round_} {size:,} patients {name}: {elapsed:.3f} s", flush=True)
            order.reverse()
    finally:
        use_database(big)
    m = {key: median(values) for key, values in times.items()}
    ours, ours_small = m[("ours", args.patients)], m[("ours", args.against)]
    same, same_small = m[("same_shape", args.patients)], m[("same_shape", args.against)]
    size_ratio = {name: round_ratio(times[(name, args.patients)], times[(name, args.against)]) for name in variants}
    line = (f"recall_sweep_scale patients={args.patients} against={args.against} due={built['due']} "
            f"ours_s={ours:.3f} ours_against_s={ours_small:.3f} ratio_size={size_ratio['ours']:.2f} "
            f"same_shape_s={same:.3f} same_shape_against_s={same_small:.3f} "
            f"ratio_size_same_shape={size_ratio['same_shape']:.2f}{memory(args)[0]}")
    if not args.no_doc:
        from .database import machine

        write_doc(f"recall-sweep-scale-{args.patients}-{args.against}{memory(args)[1]}", f"""\
`python -m bench recall_sweep --patients {args.patients} --against {args.against} --due {args.due}{memory(args)[2]}`,
commit {revision()}, {datetime.now(UTC):%Y-%m-%d}, on {machine()}.
Medians of {args.rounds} rounds, the sizes alternated:

    {line}
""")
    print(line, flush=True)
    return 0
