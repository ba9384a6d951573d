"""Triage engine throughput on one core over the labelled corpus.

    python -m bench triage [--seconds 5] [--no-doc]

Pins itself to one CPU, loads the engine's dictionaries (simplemma English and Spanish), then triages the
development split of tests/triage_corpus/ (text only; falls back to a built-in sample when the corpus is
absent): one cold pass (every word seen for the first time: lemmas, spelling and language votes computed)
and repeated warm passes for `--seconds`.  Prints a table and ends with one key=value line:

    triage messages=... per_s=... median_per_s=... cold_per_s=... wall_per_s=...

and writes the figures to docs/benchmarks.md (between the triage markers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
CORPUS = ROOT / "tests" / "triage_corpus" / "dev.jsonl"
START, END = "<!-- triage:start -->", "<!-- triage:end -->"
SAMPLE = [
    "my smile is crooked since botox, one side won't move",
    "Had botox Monday, now my left eye feels heavy and I can't lift that eyebrow",
    "Tengo problemas para respirar después del botox",
    "I'm weak for a good deal, any specials this month?",
    "Deadline is Friday to get the VIP price",
    "can I book lip filler with Dr. Patel next friday at 3?",
    "¿Cuánto cuesta el relleno de labios?",
    "how many credits do I have left on my membership",
    "u did my lips yday n now theyre sooo swollen n hard rn",
    "I'm pregnant, is a facial ok?",
]


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench triage")
    parser.add_argument("--seconds", type=float, default=5.0, help="How long to run the warm passes.")
    parser.add_argument("--no-doc", action="store_true", help="Print the figures only.")
    return parser.parse_args(argv)


def texts() -> tuple[list[str], str]:
    if CORPUS.exists():
        rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [row["text"] for row in rows], f"tests/triage_corpus/dev.jsonl ({len(rows)} messages)"
    return SAMPLE, f"built-in sample ({len(SAMPLE)} messages; the corpus is absent)"


def one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores (shared), Python {platform.python_version()}"


def write_doc(text: str) -> None:
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    section = f"{START}\n{text}\n{END}"
    if START in doc:
        doc = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: section, doc, flags=re.S)
    else:
        doc = doc.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(doc)


def main(argv) -> int:
    args = parse(argv)
    sys.path.insert(0, str(ROOT))
    pinned = one_core()
    from medspa.triage import triage
    from medspa.triage.language import warm_up

    started = time.perf_counter()
    warm_up()
    load_s = time.perf_counter() - started
    messages, source = texts()

    # Rates are per CPU-second of this process (time.process_time): the throughput of one core, whatever
    # else the shared machine is running; the wall-clock rate is printed beside it.
    started = time.process_time()
    for text in messages:
        triage(text)
    cold = len(messages) / (time.process_time() - started)

    # Warm passes: each pass over the corpus timed on its own; the best pass is the engine's rate on one
    # core (like timeit, the least disturbed by the other processes on this shared machine), the median beside it.
    passes: list[float] = []
    count, started, wall_started = 0, time.process_time(), time.perf_counter()
    while time.process_time() - started < args.seconds or len(passes) < 3:
        pass_started = time.process_time()
        for text in messages:
            triage(text)
        passes.append(time.process_time() - pass_started)
        count += len(messages)
    elapsed = time.process_time() - started
    warm = len(messages) / min(passes)
    median = len(messages) / sorted(passes)[len(passes) // 2]
    wall = count / (time.perf_counter() - wall_started)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    date = datetime.now(UTC).date().isoformat()
    doc = "\n".join([
        "## Triage engine",
        "",
        "Command: `python -m bench triage` (or `make bench BENCH_ARGS=triage`). One process " + pinned.split(" (")[0]
        + "; dictionaries loaded first (not timed in the rates); corpus: " + source + ".",
        f"Machine: {machine()}. Measured {date}.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| dictionary load (simplemma English + Spanish), s | {load_s:.1f} |",
        f"| cold pass (every word new to the caches), messages per CPU-second | {cold:,.0f} |",
        f"| warm passes ({len(passes)} passes, {count:,} messages, {elapsed:.1f} CPU-s): best pass, messages per "
        f"CPU-second | {warm:,.0f} |",
        f"| warm passes: median pass, messages per CPU-second | {median:,.0f} |",
        f"| warm passes, messages per wall-clock second (load average {load:.1f}, shared machine) | {wall:,.0f} |",
        "",
        "The acceptance floor is 2,000 messages/s on one core: `per_s`, the best warm pass per CPU-second.",
    ])
    print(doc)
    if not args.no_doc:
        write_doc(doc)
    print(f"triage messages={count} per_s={warm:.0f} median_per_s={median:.0f} cold_per_s={cold:.0f} "
          f"wall_per_s={wall:.0f}")
    return 0
