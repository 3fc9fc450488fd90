import pytest

from callbacks.dialers import LocmemDialer

from .fake_twilio import FakeTwilio


@pytest.fixture(autouse=True)
def _locmem_dialer():
    LocmemDialer.calls.clear()
    LocmemDialer.fail_with = None
    yield
    LocmemDialer.calls.clear()
    LocmemDialer.fail_with = None


@pytest.fixture
def fake_twilio(settings):
    """The real twilio library, over HTTP, to a fake Twilio on loopback."""
    fake = FakeTwilio(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN).start()
    settings.TWILIO_API_BASE = fake.base_url
    settings.CALLBACKS_DIALER = "callbacks.dialers.TwilioDialer"
    yield fake
    fake.stop()
