"""Fixtures every app's tests share."""

import pytest
from django.core.cache import cache

from callbacks.dialers import LocmemDialer
from tests.shop.factories import UserFactory, sign_in_staff


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The cache is Redis here; allauth's rate limits and anything cached must
    # not leak from one test into the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_calls_left_over():
    # The test dialer keeps its calls (and a failure to fake) on the class:
    # one test's calls must not be counted in the next, wherever they rang
    # from (callbacks, support's calls, the phone queue).
    LocmemDialer.calls.clear()
    LocmemDialer.fail_with = None
    yield
    LocmemDialer.calls.clear()
    LocmemDialer.fail_with = None


@pytest.fixture
def password() -> str:
    return "correct-horse-battery"


@pytest.fixture
def staff_client(client):
    """``client`` signed in as a superuser through the site's login with the
    second factor, as the admin requires."""
    sign_in_staff(client, UserFactory(is_staff=True, is_superuser=True))
    return client
