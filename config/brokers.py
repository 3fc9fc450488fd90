"""What Celery needs to know about the broker it runs on: Redis or RabbitMQ.

Read by the settings and by the tests that run a real worker on each."""

AMQP_SCHEMES = ("amqp://", "amqps://", "pyamqp://")


def is_rabbitmq(broker_url: str) -> bool:
    return broker_url.startswith(AMQP_SCHEMES)


def transport(broker_url: str) -> str | None:
    """Celery's ``broker_transport`` for ``broker_url``: for ``redis://``,
    kombu's Redis transport with one client per pool
    (``config.redis_transport``); any other the URL's own (None)."""
    if broker_url.startswith("redis://"):
        return "config.redis_transport:Transport"
    return None


def transport_options(broker_url: str, *, visibility_timeout: int) -> dict:
    """Celery's ``broker_transport_options`` for ``broker_url``.

    RabbitMQ puts an unacknowledged message back on its queue the moment the
    worker holding it is gone, so there is no visibility timeout to outlast;
    publisher confirms make a task queued on commit wait until the broker has
    it. A countdown is held unacknowledged by a worker until due: the broker's
    ``consumer_timeout`` (30 minutes by default) must be longer than the
    furthest countdown, or it closes the worker's channel (docs/scaling.md).

    Redis hands an unacknowledged message to another worker after
    ``visibility_timeout`` seconds, counted from delivery: it must be longer
    than the furthest countdown, or a waiting task is delivered twice."""
    if is_rabbitmq(broker_url):
        return {"confirm_publish": True}
    return {"visibility_timeout": visibility_timeout}
