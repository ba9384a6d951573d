"""What the benchmarks share: a throwaway PostgreSQL database, Django on it, the machine line, the doc."""

import contextlib
import os
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


@contextlib.contextmanager
def throwaway_database(name: str, pg_options: str = ""):
    """A fresh database `name` next to DATABASE_URL when that is PostgreSQL, else on a throwaway server
    (tests/testservers.py, started with `pg_options` added) that is stopped afterwards. Yields its URL."""
    url = os.environ.get("DATABASE_URL", "")
    servers = None
    if not url.startswith("postgres"):
        sys.path.insert(0, str(ROOT / "tests"))
        from testservers import TestServers

        servers = TestServers(pg_options)
        url = servers.start()["DATABASE_URL"]
    try:
        yield fresh_database(url, name)
    finally:
        if servers is not None:
            servers.stop()


def fresh_database(url: str, name: str) -> str:
    """Database `name` on the server of `url`, dropped first if it was there; its URL."""
    import psycopg

    base = url.rpartition("/")[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


def bench_environment() -> None:
    """The settings every benchmark runs the project with (before django.setup())."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medspa.settings")
    os.environ.setdefault("VAR_DIR", "/tmp/medspa-bench-var")
    os.environ["SMS_BACKEND"] = "console"
    # Production-like request handling for pages served through the test client.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(24).hex())  # DEBUG=false requires one
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    Path(os.environ["VAR_DIR"], "staticfiles").mkdir(parents=True, exist_ok=True)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    bench_environment()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


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


def revision() -> str:
    """The checked-out commit, short, for the figures written to docs/benchmarks.md."""
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          cwd=ROOT).stdout.strip()


def write_doc(marker: str, text: str) -> None:
    """Replace the section between <!-- marker:start --> and <!-- marker:end --> (append it if new)."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    current = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    section = f"{start}\n{text.rstrip()}\n{end}"
    if start in current:
        current = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _m: section, current, flags=re.S)
    else:
        current = current.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(current)
