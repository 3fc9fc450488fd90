import pytest

from .fake_twilio import FakeTwilio


@pytest.fixture
def fake_twilio(settings):
    """The real twilio library, over HTTP, to a fake Twilio on loopback."""
    fake = FakeTwilio(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN).start()
    settings.TWILIO_API_BASE = fake.base_url
    settings.CALLBACKS_DIALER = "callbacks.dialers.TwilioDialer"
    yield fake
    fake.stop()
