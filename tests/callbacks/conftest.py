import pytest

from tests.workers import BROKERS, RabbitMQVhost, broker_url, using_broker

from .fake_twilio import FakeTwilio


@pytest.fixture
def fake_twilio(settings):
    """The real twilio library, over HTTP, to a fake Twilio on loopback."""
    fake = FakeTwilio(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN).start()
    settings.TWILIO_API_BASE = fake.base_url
    settings.CALLBACKS_DIALER = "callbacks.dialers.TwilioDialer"
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def rabbitmq_vhost():
    """This test run's own virtual host on RabbitMQ (RABBITMQ_URL)."""
    vhost = RabbitMQVhost().create()
    yield vhost
    vhost.delete()


@pytest.fixture(params=BROKERS)
def broker(request):
    """The broker a test's real workers run on: each such test runs once on
    Redis and once on RabbitMQ. Yields the broker URL (for worker processes);
    tasks queued in this process go there too."""
    vhost = (
        request.getfixturevalue("rabbitmq_vhost")
        if request.param == "rabbitmq"
        else None
    )
    url = broker_url(request.param, vhost)
    with using_broker(url):
        yield url
