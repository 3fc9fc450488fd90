"""gunicorn settings; each can be overridden with GUNICORN_* variables."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: the app's views are short and database-bound.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# Each access line ends with the request id the site sent back, to find the
# request's own lines by (core.logs).
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)

# With JSON logs (production's default, as in config/settings/production.py)
# gunicorn's own lines are JSON objects too, so every line of the stream
# parses; the access line is the object's message.
_production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production")
if os.environ.get("LOG_FORMAT", "json" if _production else "text") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "gunicorn.error": {
                "level": "INFO",
                "handlers": ["error_console"],
                "propagate": False,
                "qualname": "gunicorn.error",
            },
            "gunicorn.access": {
                "level": "INFO",
                "handlers": ["console"],
                "propagate": False,
                "qualname": "gunicorn.access",
            },
        },
    }


# Prometheus's multiprocess files (core.metrics), when PROMETHEUS_MULTIPROC_DIR
# is set: a fresh start drops the files its dead predecessors left, and a
# worker that exits is marked dead so its live gauges stop counting.
def on_starting(server):
    from core.metrics import clean_process_files

    clean_process_files()


def child_exit(server, worker):
    from core.metrics import mark_process_dead

    mark_process_dead(worker.pid)
