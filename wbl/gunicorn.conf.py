"""gunicorn settings for `make serve` and for each app server of a deployment:

    gunicorn -c wbl/gunicorn.conf.py wbl.wsgi

Environment (gunicorn reads these itself, or they are read here):
- GUNICORN_BIND: where to listen (default 127.0.0.1:8000; behind a load balancer e.g. 0.0.0.0:8000).
- WEB_CONCURRENCY: worker processes (default 2 x cores + 1). `make serve WORKERS=4` sets it.
- FORWARDED_ALLOW_IPS: the load balancer's addresses, whose X-Forwarded-* headers are trusted
  (default 127.0.0.1,::1).
"""

import multiprocessing
import os

wsgi_app = "wbl.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: requests are short and PDFs are CPU-bound, so one request per process is the
# simplest model that keeps a slow request from holding up others in the same process.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# A request that takes longer than this is killed and its worker replaced; PDF rendering has its
# own, shorter limit, so this only catches what nothing else did.
timeout = 90
graceful_timeout = 30  # on restart or stop, in-flight requests get this long to finish
keepalive = 5  # seconds an idle connection from the load balancer stays open

# Replace a worker after this many requests (jitter spreads the restarts): bounds slow leaks.
max_requests = 2000
max_requests_jitter = 200

# Bounded request head: long lines or many headers are refused before Django sees them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Logs on standard output and error, for the service manager to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Several servers may share a machine; gunicorn's control socket would be one fixed path for all.
control_socket_disable = True
