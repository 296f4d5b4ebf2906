"""Container health probe: GET a health path on the local gunicorn with the platform's Host.

`python infra/probe.py /health/live/` exits 0 on a 200 answer, 1 otherwise. Standard library
only (no Django import), so a probe costs a few milliseconds, not a process start of the app.
"""

from __future__ import annotations

import http.client
import os
import sys


def probe(path: str) -> bool:
    host, _, port = os.environ.get("DYSA_WEB_BIND", "0.0.0.0:8000").rpartition(":")
    target = "127.0.0.1" if host in ("", "0.0.0.0", "[::]") else host  # noqa: S104
    connection = http.client.HTTPConnection(target, int(port), timeout=4)
    try:
        connection.request(
            "GET", path, headers={"Host": os.environ.get("DYSA_BASE_DOMAIN", "localhost")}
        )
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(0 if probe(sys.argv[1] if len(sys.argv) > 1 else "/health/live/") else 1)
