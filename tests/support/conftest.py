"""Fixtures for support's tests: an agent signed in to the admin."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from support.permissions import AGENT_GROUP, AGENT_PERMISSIONS
from tests.shop.factories import UserFactory, sign_in_staff


@pytest.fixture
def agent_group():
    """The "Support agent" group as every migrate leaves it, with exactly
    the permissions listed for agents."""
    group = Group.objects.get(name=AGENT_GROUP)
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    wanted = {(app, code) for app, codes in AGENT_PERMISSIONS.items() for code in codes}
    assert granted == wanted
    return group


@pytest.fixture
def agent(agent_group):
    user = UserFactory(is_staff=True, email="agent@hoshii.example")
    user.groups.add(agent_group)
    return user


@pytest.fixture
def agent_client(client, agent):
    sign_in_staff(client, agent)
    client.get(reverse("admin:index"))  # shows and so clears "signed in as"
    return client
