"""The recall dispatcher beside the bare Twilio client, both posting to the same local fake, in the same run.

    python -m bench dispatch [--patients 2000] [--round 200] [--rounds 8] [--no-doc]

Builds `--patients` patients (consent on file) each with a due recall schedule, on a throwaway PostgreSQL.
The local fake Twilio (tests/faketwilio.py, which checks every request against Twilio's OpenAPI contract)
runs in its own process. Then, alternately:

- ours: `--round` owed touches written like the sweep writes them (recall.models.OwedTouch), sent through the
  real dispatch path, called in-process as a worker runs it: `recall.tasks.make_touches`'s work for the batch
  (`recall.owed.make_touches`: the queued touches made in one transaction), then `recall.tasks.dispatch_touches` on the
  chunks `recall.queue.enqueue_dispatch` queues (one claim per chunk with the re-checks and each lead's text
  and link, then per message one statement recording the previous answer and this start, the twilio client;
  the last answer), with the rate limit lifted (SMS_RATE_PER_SECOND=0);
- reference: the same number of `client.messages.create()` calls with the process's twilio client.

Each side's rate is touches per second over its rounds (median); writing the owed rows is not timed.
Ends with one line: `dispatch touches=... ours_per_s=... bare_client_per_s=... ratio=... statements_per_touch=...`
(ratio = ours over the bare client; the acceptance is >= 0.5).
"""

import argparse
import logging
import os
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from .database import ROOT, median, revision, throwaway_database, write_doc

SID = "AC" + "0" * 31 + "9"
TOKEN = "bench-dispatch-token-0123456789ab"  # noqa: S105 (the local fake's, never a real credential)
ZONES = ("America/Los_Angeles", "America/New_York", "Europe/London", "Asia/Kolkata", "Asia/Tokyo",
         "Pacific/Auckland")
FAKE = f"""
import sys, time
sys.path.insert(0, {str(ROOT / "tests")!r})
from faketwilio import FakeTwilio
fake = FakeTwilio({SID!r}, {TOKEN!r}).start()
print(fake.url, flush=True)
while True:
    time.sleep(3600)
"""


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench dispatch")
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--round", type=int, default=200, help="Touches per timed round.")
    parser.add_argument("--rounds", type=int, default=8, help="Timed rounds per side (alternated).")
    parser.add_argument("--no-doc", action="store_true", help="Print the figures only.")
    return parser.parse_args(argv)


def daytime_zone() -> str:
    """A zone where sending is allowed right now (the dispatcher keeps quiet hours in the patient's zone)."""
    from django.utils import timezone

    from medspa.models.clinic import Location
    from recall.quiet_hours import may_send

    now = timezone.now()
    for zone in ZONES:
        if may_send(now, Location(time_zone=zone).tz):
            return zone
    raise RuntimeError("no daytime zone found")


def build(patients: int):
    from django.db import connection

    from medspa.models import Location, Patient, Service
    from recall.models import RecallSchedule

    location = Location.objects.create(name="Bench Dispatch", time_zone=daytime_zone(), sms_number="+13105550199")
    service = Service.objects.get(name="Neurotoxin")
    Patient.objects.bulk_create([
        Patient(first_name=f"P{i}", last_name="Bench", phone=f"+1415{5000000 + i:07d}", location=location,
                sms_consent=True, sms_consent_source=Patient.ConsentSource.INTAKE_FORM)
        for i in range(patients)], batch_size=2000)
    today = datetime.now(UTC).date()
    RecallSchedule.objects.bulk_create([
        RecallSchedule(patient=p, service=service, state="due", last_visit=today - timedelta(days=88),
                       due_date=today + timedelta(days=2), trusted=True)
        for p in Patient.objects.filter(location=location)], batch_size=2000)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return location


class Touches:
    """Owed touches for `count` patients per round, written like the sweep writes them (numbered per schedule)."""

    def __init__(self, location):
        from recall.models import RecallSchedule

        self.location = location
        self.schedules = list(RecallSchedule.objects.filter(patient__location=location)
                              .values_list("pk", "patient_id", "service_id", "patient__phone"))
        self.number, self.offset = 0, 0

    def write(self, count: int) -> list[int]:
        from django.utils import timezone

        from recall.models import OwedTouch

        self.number += 1
        rows = [self.schedules[(self.offset + i) % len(self.schedules)] for i in range(count)]
        self.offset += count
        now = timezone.now()
        owed = OwedTouch.objects.bulk_create([
            OwedTouch(schedule_id=pk, number=self.number * 100_000 + i, kind="on_time", created_at=now)
            for i, (pk, _patient, _service, _phone) in enumerate(rows)])
        return [o.pk for o in owed]


def main(argv) -> int:
    args = parse(argv)
    fake = subprocess.Popen([sys.executable, "-c", FAKE], stdout=subprocess.PIPE, text=True)
    try:
        fake_url = fake.stdout.readline().strip()
        with throwaway_database("medspa_bench_dispatch") as url:
            return run(args, url, fake_url)
    finally:
        fake.terminate()
        fake.wait(timeout=10)


def run(args, url: str, fake_url: str) -> int:
    from .database import machine, setup_django

    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # DEBUG=false (setup_django) needs one
    setup_django(url)
    from django.conf import settings
    from django.db import connection

    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # its INFO lines cost both sides alike
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_API_BASE = SID, TOKEN, fake_url
    settings.SMS_RATE_PER_SECOND = 0  # the rate limit lifted: measure the path, not the throttle
    settings.PUBLIC_BASE_URL = "https://frontdesk.example.com"

    from medspa.twilio.client import twilio_client
    from recall.dispatch import status_callback_url
    from recall.models import Touch
    from recall.owed import make_touches
    from recall.queue import DISPATCH_CHUNK
    from recall.tasks import dispatch_touches

    t = time.perf_counter()
    location = build(args.patients)
    touches = Touches(location)
    print(f"built {args.patients:,} patients with due schedules in {time.perf_counter() - t:.0f} s "
          f"(zone {location.time_zone})", flush=True)
    client = twilio_client()
    sender, callback = str(location.sms_number), status_callback_url()
    statements = []

    def count(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(time.perf_counter() - started)

    def ours() -> float:
        owed = touches.write(args.round)
        statements.clear()
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            ids = make_touches(owed)  # the make_touches task's work for one sweep batch (queueing the chunks aside)
            for start in range(0, len(ids), DISPATCH_CHUNK):  # the chunks recall.queue.enqueue_dispatch queues
                dispatch_touches(ids[start:start + DISPATCH_CHUNK])
            elapsed = time.perf_counter() - started
        sent = Touch.objects.filter(pk__in=ids, status="sent").count()
        assert sent == len(ids), f"only {sent} of {len(ids)} sent"
        ours.statements = len(statements) / len(ids)
        ours.db_ms = sum(statements) * 1000 / len(ids)
        return len(ids) / elapsed

    def bare() -> float:
        rows = [(str(p), n) for n, (_pk, _patient, _service, p) in enumerate(touches.schedules[:args.round])]
        started = time.perf_counter()
        for phone, n in rows:
            client.messages.create(to=phone, from_=sender, body=f"Bench message {n}", status_callback=callback)
        return len(rows) / (time.perf_counter() - started)

    ours(), bare()  # warm up: connections, caches, the client's session
    rates = {"ours": [], "bare": []}
    for round_ in range(args.rounds):
        for name, side in ((("ours", ours), ("bare", bare)) if round_ % 2 else (("bare", bare), ("ours", ours))):
            rates[name].append(side())
    mine, reference = median(rates["ours"]), median(rates["bare"])
    line = (f"dispatch touches={args.round * args.rounds} ours_per_s={mine:.0f} bare_client_per_s={reference:.0f} "
            f"ratio={mine / reference:.2f} statements_per_touch={ours.statements:.1f} "
            f"db_ms_per_touch={ours.db_ms:.1f}")
    if not args.no_doc:
        rev = revision()
        write_doc("dispatch", f"""\
## Recall dispatcher

`python -m bench dispatch --patients {args.patients} --round {args.round} --rounds {args.rounds}`, commit {rev},
{datetime.now(UTC):%Y-%m-%d}, on {machine()}. {args.rounds} alternated rounds of {args.round} touches per side
after a warm-up round; the fake Twilio in its own process; medians of the per-round rates.

    {line}
""")
    print(line, flush=True)
    return 0
