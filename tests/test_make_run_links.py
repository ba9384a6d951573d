"""`make run` serves every Procfile process with honcho, which gives each process its own PORT (web the
base port, the next process PORT+100, ...). Links in texts are made by the worker, so they must use the
address the web server listens on, whatever PORT the user chose."""

import contextlib
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRITE_URL = (f"{sys.executable} manage.py shell -c "
             "\"import os; from django.conf import settings; "
             "open(os.environ['OUT'] + '/' + os.environ['HONCHO_PROCESS_NAME'], 'w').write(settings.PUBLIC_BASE_URL)\"")


def honcho_env(port: int) -> dict[str, str]:
    """The variables `make run` puts on the honcho command line (read from make's dry run)."""
    clean = {key: value for key, value in os.environ.items() if key not in ("PUBLIC_BASE_URL", "HOST", "PORT")}
    plan = subprocess.run(["make", "-n", "run", f"PORT={port}"], cwd=ROOT, capture_output=True, text=True,
                          check=True, env=clean).stdout
    line = next(text for text in plan.splitlines() if "honcho start" in text)
    words = shlex.split(line)
    return dict(word.split("=", 1) for word in words[: words.index(next(w for w in words if "=" not in w))])


def test_every_process_under_make_run_links_to_the_web_port(tmp_path):
    env = {key: value for key, value in honcho_env(9123).items() if key != "PATH"}
    assert env["PORT"] == "9123"
    procfile = tmp_path / "Procfile"
    out = tmp_path / "urls"
    out.mkdir()
    # Each process writes the address it would link to, then waits; honcho stops all of them as soon as
    # the last one ("done") has seen three files.
    procfile.write_text(
        f"web: {WRITE_URL}; sleep 120\nworker: {WRITE_URL}; sleep 120\ninbound: {WRITE_URL}; sleep 120\n"
        f"done: while [ $(ls {out} | wc -l) -lt 3 ]; do sleep 0.2; done\n"
    )
    honcho = Path(sys.executable).parent / "honcho"
    run = subprocess.Popen([str(honcho), "start", "--no-prefix", "-f", str(procfile), "-d", str(ROOT)],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True,
                           env={**os.environ, **env, "OUT": str(out), "DJANGO_SETTINGS_MODULE": "medspa.settings"})
    try:
        output, _ = run.communicate(timeout=120)
    finally:  # never leave honcho or its processes behind, even on a timeout
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
    urls = {path.name: path.read_text() for path in out.iterdir()}
    assert urls == dict.fromkeys(("web.1", "worker.1", "inbound.1"), "http://127.0.0.1:9123"), output
