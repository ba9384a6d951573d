"""Throwaway PostgreSQL and Redis servers on loopback for one test run.

`make test` installs Debian's packages; this module starts private servers on free ports in a
temporary folder, hands their URLs to Django through the environment, and stops them at the end.
Setting DATABASE_URL and REDIS_URL yourself (to servers you run) skips all of this.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_tool(name: str) -> str:
    for folder in PG_BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is missing: run `make test` (it installs postgresql).")
    return found


def _as_postgres(args: list[str]) -> list[str]:
    # initdb refuses to run as root; the server runs as the postgres system user.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class TestServers:
    def __init__(self, pg_options: str = "") -> None:
        self.pg_options = pg_options  # more `-c name=value` settings (the benchmarks' memory sizes)
        self.root = Path(tempfile.mkdtemp(prefix="medspa-test-"))
        self.pg_data = self.root / "pg"
        self.pg_port = free_port()
        self.redis_dir = self.root / "redis"
        self.redis_port = free_port()

    def start(self) -> dict[str, str]:
        self._start_postgres()
        self._start_redis()
        return {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/medspa",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
        }

    def _start_postgres(self) -> None:
        self.pg_data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.pg_data, "postgres")
        subprocess.run(
            _as_postgres([_pg_tool("initdb"), "-D", str(self.pg_data), "-A", "trust", "-U", "postgres",
                          "-E", "UTF8", "--no-locale", "--no-sync"]),
            check=True, capture_output=True,
        )
        options = (f"-c listen_addresses=127.0.0.1 -p {self.pg_port} -k {self.pg_data} -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 {self.pg_options}")
        subprocess.run(
            _as_postgres([_pg_tool("pg_ctl"), "-D", str(self.pg_data), "-w", "-l", str(self.pg_data / "log"),
                          "-o", options, "start"]),
            check=True, capture_output=True,
        )

    def _start_redis(self) -> None:
        server = shutil.which("redis-server")
        if not server:
            raise RuntimeError("redis-server is missing: run `make test` (it installs redis-server).")
        self.redis_dir.mkdir()
        subprocess.run(
            [server, "--bind", "127.0.0.1", "--port", str(self.redis_port), "--daemonize", "yes",
             "--save", "", "--appendonly", "no", "--dir", str(self.redis_dir),
             "--pidfile", str(self.redis_dir / "redis.pid")],
            check=True, capture_output=True,
        )
        for _ in range(100):
            ping = subprocess.run(["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True)
            if ping.stdout.strip() == b"PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("Redis did not start.")

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.redis_port), "shutdown", "nosave"], capture_output=True)
        subprocess.run(
            _as_postgres([_pg_tool("pg_ctl"), "-D", str(self.pg_data), "-m", "fast", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)
