"""Fixtures for the shop's tests."""

import pytest

from .factories import UserFactory


@pytest.fixture
def buyer(client):
    """A customer signed in on ``client``."""
    user = UserFactory()
    client.force_login(user)
    return user
