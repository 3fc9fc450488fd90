"""Fixtures every app's tests share."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The cache is Redis here; allauth's rate limits and anything cached must
    # not leak from one test into the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return "correct-horse-battery"
