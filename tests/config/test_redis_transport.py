"""config.redis_transport: kombu's Redis transport with one client per pool,
on the real Redis the tests run against."""

import uuid

import pytest
import redis
from django.conf import settings
from kombu import Connection

from config.brokers import transport

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL.startswith("redis://"), reason="needs REDIS_URL"
)


def test_redis_urls_get_ours_every_other_broker_its_own():
    assert transport("redis://127.0.0.1:6379/0") == "config.redis_transport:Transport"
    for url in [
        "rediss://h:6380/0",  # TLS: kombu's own reads the URL's certificates
        "amqp://guest:guest@127.0.0.1:5672//",
        "memory://",
        "filesystem://localhost/",
    ]:
        assert transport(url) is None


def test_the_settings_name_it_for_a_redis_broker():
    assert transport(settings.CELERY_BROKER_URL) == settings.CELERY_BROKER_TRANSPORT


def test_messages_go_and_are_acknowledged_through_one_client(monkeypatch):
    """Publishing, consuming and acknowledging (with its bookkeeping of
    unacknowledged messages) work as with kombu's own transport, and the
    commands share one client instead of building one each."""
    built = []
    original = redis.Redis.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting)
    name = f"hoshii-test-{uuid.uuid4().hex}"
    with Connection(
        settings.REDIS_URL, transport="config.redis_transport:Transport"
    ) as connection:
        queue = connection.SimpleQueue(name)
        try:
            for number in range(20):
                queue.put({"n": number})
            received = []
            for _ in range(20):
                message = queue.get(timeout=5)
                received.append(message.payload["n"])
                message.ack()
            assert received == list(range(20))
            channel = queue.channel
            # Nothing left unacknowledged, nothing left queued.
            client = channel._create_client()
            assert client.hlen(channel.unacked_key) == 0
            assert client.llen(name) == 0
        finally:
            queue.queue.delete()
            queue.close()
    # One for the channel's commands, and kombu's own for consuming.
    assert len(built) <= 3, len(built)
