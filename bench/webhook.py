"""The signed inbound SMS webhook under gunicorn (3 sync workers), beside a signature-only view and a bare view.

    python -m bench webhook [--seconds S] [--rounds N] [--connections C] [--rate R] [--rate-seconds S]

Starts a throwaway PostgreSQL + Redis (tests/testservers.py) unless DATABASE_URL and REDIS_URL are set,
migrates, and serves `bench.webhook_settings` (the project plus `/bench/signature-only/` and `/bench/bare/`,
bench/webhook_site.py) with gunicorn. Every request is a distinct inbound text (its own MessageSid) signed with
Twilio's RequestValidator over the public URL, so ours stores one row and queues one task per request.

1. Throughput: `wrk` (Debian's package) runs ours, signature-only and bare in turn, `--rounds` times (the
   order rotating each round, after an uncounted 3-second warm-up of each), each for `--seconds` with
   `--connections` connections; the medians are reported, and each ratio is the median of the rounds' own
   ratios. Without wrk, a Python thread pool
   does the same (slower client: the ratios stay comparable, the absolute figures are lower).
2. Latency at a fixed rate: an open-loop asyncio client sends `--rate` requests per second to the
   signature-only view (the machine's floor at that moment), then to ours, for `--rate-seconds` each; each
   latency is counted from the moment the request was due (queueing included).

Ends with: `webhook workers=3 ours_rps=... signature_only_rps=... bare_rps=... ratio_signature_only=...
ratio_bare=... p50_ms_at_200=... p99_ms_at_200=... served_at_200=...
signature_only_p99_ms_at_200=... load1=...`.
"""

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from .database import fresh_database

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-auth-token"
TARGETS = {"ours": "/twilio/sms/inbound/", "signature_only": "/bench/signature-only/", "bare": "/bench/bare/"}

LUA = """
local rows, n, i, threads = {}, 0, 0, 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end
init = function(args)
  for line in io.lines(args[1]) do
    local sig, body = line:match("^([^\\t]*)\\t(.*)$")
    n = n + 1
    rows[n] = {sig, body}
  end
  i = (id * 1000003) % n  -- each thread starts elsewhere: every request is a new MessageSid
end
request = function()
  i = i % n + 1
  local row = rows[i]
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded",
                                  ["X-Twilio-Signature"] = row[1]}, row[2])
end
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_bodies(base: str, path: str, count: int, prefix: str) -> list[tuple[str, str]]:
    """`count` distinct inbound texts, each with the signature Twilio would send."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(TOKEN)
    out = []
    for i in range(count):
        params = {"MessageSid": f"SM{prefix}{i:010d}", "AccountSid": "ACbench", "From": f"+1415555{i % 10000:04d}",
                  "To": "+14155550100", "Body": "Can I book a facial next week?", "NumMedia": "0"}
        out.append((validator.compute_signature(base + path, params), urlencode(params)))
    return out


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "medspa.wsgi:application"],
        cwd=ROOT, env=env,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def wrk_rps(base: str, path: str, bodies_file: Path, seconds: int, connections: int, script: Path) -> tuple[float, int]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), base + path, "--", str(bodies_file)],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(bad.group(1)) if bad else 0


def threads_rps(base: str, path: str, bodies: list[tuple[str, str]], seconds: int, connections: int):
    """A thread pool posting the signed bodies for `seconds` (when wrk is not installed)."""
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    def worker():
        done = bad = 0
        while time.perf_counter() < deadline:
            sig, body = bodies[next(counter) % len(bodies)]
            request = urllib.request.Request(base + path, data=body.encode(), headers={
                "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    response.read()
                done += 1
            except OSError:
                bad += 1
        return done, bad

    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        results = list(pool.map(lambda _: worker(), range(connections)))
    elapsed = time.perf_counter() - started
    return sum(r[0] for r in results) / elapsed, sum(r[1] for r in results)


async def fixed_rate(host: str, port: int, path: str, bodies: list[tuple[str, str]], rate: float, seconds: float):
    """Open loop: request i is due at start + i / rate; latency counts from then. Returns (latencies, non-200)."""
    latencies, failures = [], 0
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2

    async def one(i: int):
        nonlocal failures
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        sig, body = bodies[i % len(bodies)]
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write((f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
                          f"Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: {sig}\r\n"
                          f"Content-Length: {len(body)}\r\n\r\n{body}").encode())
            await writer.drain()
            status = (await reader.readline()).split()[1]
            await reader.read()
            writer.close()
            if status != b"200":
                failures += 1
        except OSError:
            failures += 1
        latencies.append(loop.time() - due)

    await asyncio.gather(*(one(i) for i in range(int(rate * seconds))))
    return latencies, failures


def queued(env: dict) -> int:
    import redis

    return redis.Redis.from_url(env["REDIS_URL"]).llen("inbound")


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench webhook", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--rate-seconds", type=float, default=15)
    args = parser.parse_args(argv)

    servers = None
    env = dict(os.environ)
    if not (env.get("DATABASE_URL", "").startswith("postgres") and env.get("REDIS_URL")):
        sys.path.insert(0, str(ROOT / "tests"))
        from testservers import TestServers

        servers = TestServers()
        env.update(servers.start())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="medspa-bench-webhook-"))
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.webhook_settings", "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": base,
        "DEBUG": "false", "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(workdir / "var"), "SMS_BACKEND": "console", "PYTHONPATH": str(ROOT),
        "TWILIO_DEFAULT_FROM": "+14155550100",  # the number the texts are sent to is ours
        "TWILIO_ACCOUNT_SID": "ACbench",  # the AccountSid every signed body carries: refused (403) otherwise
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,  # DEBUG=false refuses to start without one
    })
    gunicorn = None
    try:
        import psycopg

        env["DATABASE_URL"] = fresh_database(env["DATABASE_URL"], "medspa_bench_webhook")
        Path(env["VAR_DIR"], "staticfiles").mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        gunicorn = start_gunicorn(env, port, args.workers)

        have_wrk = shutil.which("wrk") is not None
        script = workdir / "signed.lua"
        script.write_text(LUA)
        per_target = 40_000 if have_wrk else 20_000
        bodies, files = {}, {}
        for r in range(args.rounds):
            for name, path in TARGETS.items():
                bodies[(r, name)] = signed_bodies(base, path, per_target, f"{name[:3]}{r}")
                files[(r, name)] = workdir / f"{name}-{r}.tsv"
                files[(r, name)].write_text("".join(f"{sig}\t{body}\n" for sig, body in bodies[(r, name)]))
        rps = {name: [] for name in TARGETS}
        failures = dict.fromkeys(TARGETS, 0)
        client = "wrk -t2" if have_wrk else "python threads"
        print(f"Client: {client}, {args.connections} connections, {args.seconds} s per run, {args.rounds} rounds; "
              f"gunicorn {args.workers} sync workers")
        if have_wrk:  # warm-up, not counted: each worker's connections, prepared statements and caches
            for name, path in TARGETS.items():
                warm = workdir / f"{name}-warm.tsv"  # texts of their own: the counted runs' stay new
                warm.write_text("".join(f"{sig}\t{body}\n" for sig, body in
                                        signed_bodies(base, path, 10_000, f"{name[:3]}w")))
                wrk_rps(base, path, warm, 3, args.connections, script)
        order = list(TARGETS)
        for r in range(args.rounds):
            for name in order:
                path = TARGETS[name]
                if have_wrk:
                    value, bad = wrk_rps(base, path, files[(r, name)], args.seconds, args.connections, script)
                else:
                    value, bad = threads_rps(base, path, bodies[(r, name)], args.seconds, args.connections)
                rps[name].append(value)
                failures[name] += bad
                print(f"  round {r + 1} {name}: {value:.0f} req/s ({bad} failed)")
            order = order[1:] + order[:1]  # each variant takes each place in turn
        medians = {name: statistics.median(values) for name, values in rps.items()}
        # The ratios: each round's own (its three runs are minutes apart at most), then their median, so a
        # machine that speeds up or slows down between rounds moves both sides of each ratio.
        ratios = {ref: statistics.median(o / x for o, x in zip(rps["ours"], rps[ref], strict=True))
                  for ref in ("signature_only", "bare")}

        # The same fixed rate on the signature-only view first: what the machine allows right now.
        sig_rate = signed_bodies(base, TARGETS["signature_only"], int(args.rate * args.rate_seconds), "srate")
        time.sleep(2)
        sig_latencies, _ = asyncio.run(
            fixed_rate("127.0.0.1", port, TARGETS["signature_only"], sig_rate, args.rate, args.rate_seconds))
        at_rate = signed_bodies(base, TARGETS["ours"], int(args.rate * args.rate_seconds), "rate")
        time.sleep(2)
        latencies, bad_at_rate = asyncio.run(
            fixed_rate("127.0.0.1", port, TARGETS["ours"], at_rate, args.rate, args.rate_seconds))
        served = (len(latencies) - bad_at_rate) / (args.rate_seconds + max(0.0, max(latencies) if latencies else 0))
        print(f"  at {args.rate:.0f} req/s: signature-only p50 {percentile(sig_latencies, 0.5) * 1000:.1f} ms, "
              f"p99 {percentile(sig_latencies, 0.99) * 1000:.1f} ms")

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            stored = conn.execute("SELECT count(*) FROM recall_inboundmessage").fetchone()[0]
        print(f"  stored inbound messages: {stored}; failed requests: {failures} (fixed rate: {bad_at_rate}); "
              f"queued for the inbound worker: {queued(env)}")
        print(f"webhook workers={args.workers} client={client.split()[0]} ours_rps={medians['ours']:.0f} "
              f"signature_only_rps={medians['signature_only']:.0f} bare_rps={medians['bare']:.0f} "
              f"ratio_signature_only={ratios['signature_only']:.2f} "
              f"ratio_bare={ratios['bare']:.2f} "
              f"p50_ms_at_{args.rate:.0f}={percentile(latencies, 0.5) * 1000:.1f} "
              f"p99_ms_at_{args.rate:.0f}={percentile(latencies, 0.99) * 1000:.1f} "
              f"served_at_{args.rate:.0f}={served:.0f} "
              f"signature_only_p99_ms_at_{args.rate:.0f}={percentile(sig_latencies, 0.99) * 1000:.1f} "
              f"load1={os.getloadavg()[0]:.1f}")
    finally:
        if gunicorn:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        if servers:
            servers.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
