"""History upload at the stated limit: a 9.9 MB CSV imported by the background job while the inbox answers.

Times, in one run on one database: the upload request (it only stores the file and queues the job),
the import itself (`recall.imports.run_job`, in a thread standing in for the Celery worker), and inbox
page requests made while the import runs next to the same requests with nothing running.

    python -m bench history_import [--megabytes 9.9] [--no-doc]
"""

import argparse
import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime

from .database import DOC, ROOT, setup_django, throwaway_database, write_doc


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench history_import")
    parser.add_argument("--megabytes", type=float, default=9.9)
    parser.add_argument("--no-doc", action="store_true", help="Print the figures only.")
    return parser.parse_args(argv)


def inbox_times(client, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        assert client.get("/inbox/").status_code == 200
        times.append(time.perf_counter() - t)
    return times


def main(argv) -> int:
    args = parse(argv)
    with throwaway_database("medspa_bench_history_import") as url:
        setup_django(url)
        sys.path.insert(0, str(ROOT / "tests"))
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.db import connection
        from django.test import Client
        from history_csv import history_csv

        from medspa.models import Handoff, Location, User
        from recall import imports, tasks
        from recall.models import ImportJob

        west = Location.objects.create(name="Westside Aesthetics", time_zone="America/Los_Angeles")
        owner = User.objects.create_user("bench-owner", password="x", role="owner")  # noqa: S106
        owner.locations.set([west])
        for i in range(30):
            Handoff.objects.create(location=west, route="booking", source="call", title=f"Caller {i}")
        data, rows = history_csv(int(args.megabytes * 1_000_000))
        client = Client()
        client.force_login(owner)
        idle = inbox_times(client, 20)

        queued = []
        tasks.run_import.delay = lambda job_id: queued.append(job_id)  # the worker is the thread below
        t = time.perf_counter()
        response = client.post("/recall/import/", {"file": SimpleUploadedFile("history.csv", data)})
        upload_time = time.perf_counter() - t
        assert response.status_code == 302, response.status_code
        job = ImportJob.objects.get()

        def work():
            imports.run_job(job.pk)
            connection.close()

        worker = threading.Thread(target=work)
        t = time.perf_counter()
        worker.start()
        busy = []
        while worker.is_alive():
            busy += inbox_times(client, 5)
            time.sleep(0.5)
        import_time = time.perf_counter() - t
        job.refresh_from_db()
        assert job.status == "done", job.error
        c = job.counts
        text = (
            f"## History upload: {len(data) / 1e6:.1f} MB, {rows:,} rows (run {datetime.now(UTC):%Y-%m-%d})\n\n"
            f"`python -m bench history_import` on PostgreSQL. The upload request stores the file and queues "
            f"the job: **{upload_time * 1000:.0f} ms**. The background import took **{import_time:.0f} s**, "
            f"**{rows / import_time:,.0f} rows/s** ({c['visits_imported']:,} visits, {c['rejected']:,} rows "
            f"rejected with their line, "
            f"{c['patients_created']:,} patients). Inbox page while importing: median "
            f"**{statistics.median(busy) * 1000:.0f} ms**, slowest {max(busy) * 1000:.0f} ms over {len(busy)} "
            f"requests; with nothing running: median {statistics.median(idle) * 1000:.0f} ms. The import ran "
            f"in a thread of the same process (sharing its GIL); in production the worker is its own process. "
            f"Load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.\n"
        )
        print(text)
        if not args.no_doc:
            write_doc("history-import", text)
            print(f"wrote {DOC.relative_to(ROOT)}")
        return 0
