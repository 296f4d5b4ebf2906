"""gunicorn settings for dysa (`gunicorn -c infra/gunicorn.conf.py config.wsgi`).

Sync workers: the app is database-bound and short-request; with persistent connections
(CONN_MAX_AGE) each worker keeps one PostgreSQL connection. Tune by environment.
"""

import multiprocessing
import os

bind = os.environ.get("DYSA_WEB_BIND", f"0.0.0.0:{os.environ.get('DYSA_PUBLIC_PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", None)
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"
