"""python -m bench [name] [options]: run one benchmark, or all of them in turn without a name.

Each benchmark writes its own section of docs/benchmarks.md.
"""

import importlib
import sys

BENCHMARKS = {
    "dashboard": "bench.dashboard",
    "dispatch": "bench.dispatch",
    "inbox": "bench.inbox",
    "recall_sweep": "bench.recall_sweep",
    "triage": "bench.triage",
    "history_import": "bench.history_import",
    "webhook": "bench.webhook",
}


def main(argv: list[str]) -> None:
    if argv and argv[0] in ("-h", "--help"):
        print(f"usage: python -m bench [{'|'.join(BENCHMARKS)}] [options]")
        return
    if not argv:
        for module in BENCHMARKS.values():
            importlib.import_module(module).main([])
        return
    if argv[0] not in BENCHMARKS:
        print(f"usage: python -m bench [{'|'.join(BENCHMARKS)}] [options]")
        sys.exit(2)
    result = importlib.import_module(BENCHMARKS[argv[0]]).main(argv[1:])
    if isinstance(result, int) and result:
        sys.exit(result)


if __name__ == "__main__":
    main(sys.argv[1:])
