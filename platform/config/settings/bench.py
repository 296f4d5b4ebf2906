"""Benchmark settings: like local, but quiet logs and a database of its own (`dysa_bench`)."""

from config.settings.local import *

DATABASES["default"]["NAME"] = env.str("DYSA_BENCH_DATABASE", default="dysa_bench")
DEBUG = False
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]
