"""gunicorn's configuration for Bawaba: `gunicorn -c config/gunicorn.conf.py` (docs/operations.md).

Options given on the command line or in GUNICORN_CMD_ARGS override these (the desk benchmark sets its own
address and worker count that way).
"""

import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("BAWABA_BIND", "127.0.0.1:8000")

# The views are CPU-bound Python: one single-threaded process per core, plus one that keeps both cores busy
# while another waits on PostgreSQL or Redis. gthread keeps idle keep-alive connections (one per agent's
# open desk) in its event loop instead of tying up a thread each.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
threads = 1
worker_connections = 1000
keepalive = 10
backlog = 2048
timeout = 60
graceful_timeout = 30

# Load Django and warm it up once in the master: the workers start with the routing model, the URLs and the
# compiled templates already in memory (shared copy-on-write) instead of loading them during their first
# requests. A code change then needs a restart, not a HUP.
preload_app = True


def when_ready(server):
    """In the master, after the application was loaded and before the workers are forked."""
    import gc

    from bawaba.core.warmup import warm_up

    warm_up()
    # What is loaded now lives as long as the process: keep the garbage collector from scanning it again in
    # every worker (fewer and shorter full collections, and the shared pages stay shared).
    gc.collect()
    gc.freeze()


def post_worker_init(worker):
    """In each worker: nothing left to load when the master warmed up; the whole warm-up without preload_app."""
    from bawaba.core.warmup import warm_up

    warm_up()
