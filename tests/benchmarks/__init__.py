"""Benchmarks run by `make bench` (never by `make test`). See tests/benchmarks/__main__.py."""
