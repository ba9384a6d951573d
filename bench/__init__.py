"""Benchmarks: `make bench` (python -m bench [name] [options])."""
