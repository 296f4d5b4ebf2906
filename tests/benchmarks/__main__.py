"""`make bench`: run every tests/benchmarks/bench_*.py (or those named) and save `.bench/*.json`.

python -m tests.benchmarks [--quick] [--tenants N] [name ...]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

from tests.benchmarks.harness import BenchContext, write_result

ON_REQUEST_ONLY = {"soak"}


def _available() -> list[str]:
    here = Path(__file__).parent
    return sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all: {_available()})")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--tenants", type=int, default=1000, help="tenants for scale benchmarks")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "platform"))
    import django

    django.setup()
    # The soak runs 10+ minutes: only when named (`make bench soak`).
    names = args.names or [name for name in _available() if name not in ON_REQUEST_ONLY]
    unknown = sorted(set(names) - set(_available()))
    if unknown:
        parser.error(f"unknown benchmark(s): {unknown}; available: {_available()}")
    failed = 0
    for name in names:
        ctx = BenchContext(quick=args.quick, tenants=args.tenants)
        module = importlib.import_module(f"tests.benchmarks.bench_{name}")
        print(f"== {name} ==", flush=True)  # noqa: T201
        started = time.perf_counter()
        try:
            result = module.run(ctx)
        except Exception:
            traceback.print_exc()
            failed += 1
            continue
        result["wall_seconds"] = round(time.perf_counter() - started, 1)
        result["quick"] = ctx.quick
        path = write_result(name, result)
        print(json.dumps(result, indent=2, default=str))  # noqa: T201
        print(f"-> {path}", flush=True)  # noqa: T201
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
