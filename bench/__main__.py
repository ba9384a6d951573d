"""`python -m bench [recall_sweep] [options]`: run a benchmark (each writes its section of docs/benchmarks.md)."""

import importlib
import sys

BENCHMARKS = {"recall_sweep": "bench.recall_sweep"}


def main(argv: list[str]) -> int:
    name = argv[0] if argv and not argv[0].startswith("-") else "recall_sweep"
    args = argv[1:] if argv and not argv[0].startswith("-") else argv
    if name not in BENCHMARKS:
        print(f"Unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    return importlib.import_module(BENCHMARKS[name]).main(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
