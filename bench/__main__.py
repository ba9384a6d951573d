"""python -m bench <name> [options]: run one benchmark (results go in docs/benchmarks.md)."""

import importlib
import sys

BENCHMARKS = {
    "dashboard": "bench.dashboard",
}


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in BENCHMARKS:
        print(f"usage: python -m bench {{{','.join(BENCHMARKS)}}} [options]")
        sys.exit(2)
    importlib.import_module(BENCHMARKS[argv[0]]).main(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
