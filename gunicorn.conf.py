"""gunicorn's settings for production: `gunicorn` in the project's folder reads this file
(docs/operations.md, "Deploying"). Each setting can be changed through the environment."""

import multiprocessing
import os

# Web requests: every database statement is cut off after 5 seconds (config/faults.py turns
# that into a 503), unless STATEMENT_TIMEOUT_MS says otherwise.
os.environ.setdefault("STATEMENT_TIMEOUT_MS", "5000")

wsgi_app = "config.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")

# Threads share a worker's memory; each holds at most one database connection, so the
# database must allow workers × threads connections per instance (plus the commands').
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request taking longer than this is stuck: its worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, so that no slow leak grows for ever.
max_requests = 5000
max_requests_jitter = 500

# Requests are bounded before Django sees them: the request line (a search URL with many
# filters fits easily), the number of headers and each header's size. Bodies are bounded by
# Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# The application logs every request itself, as JSON and without personal data
# (config/logging.py); gunicorn's own access log would repeat it with addresses.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Which proxies may say a request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
