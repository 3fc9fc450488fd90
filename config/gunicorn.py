"""gunicorn settings; each can be overridden with GUNICORN_* variables."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: the app's views are short and database-bound.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")


# Prometheus's multiprocess files (core.metrics), when PROMETHEUS_MULTIPROC_DIR
# is set: a fresh start drops the files its dead predecessors left, and a
# worker that exits is marked dead so its live gauges stop counting.
def on_starting(server):
    from core.metrics import clean_process_files

    clean_process_files()


def child_exit(server, worker):
    from core.metrics import mark_process_dead

    mark_process_dead(worker.pid)
