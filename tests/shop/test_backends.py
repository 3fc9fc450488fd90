"""shop.backends: a signed-in request finds its user with one plain
statement, the same user Django's backend would give, and only one that
may still sign in."""

import datetime

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shop.backends import signed_in_user
from shop.models import User
from tests.queries import sql_of
from tests.shop.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_read_is_the_orms_field_for_field():
    made = UserFactory(
        phone="+819012345678",
        display_name="Hanako",
        language="ja",
        last_login=timezone.now() - datetime.timedelta(days=2),
    )
    with CaptureQueriesContext(connection) as captured:
        found = signed_in_user(made.pk)
    assert len(captured) == 1
    expected = User.objects.get(pk=made.pk)
    for field in User._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field
    # Converted as the ORM converts: a phone number object, an aware time.
    assert found.phone.as_e164 == "+819012345678"
    assert found.last_login.tzinfo is not None
    assert found._state.adding is False and found._state.db == "default"
    # A saved copy writes what it read, nothing lost.
    found.display_name = "Hanako Y."
    found.save(update_fields=["display_name"])
    expected.refresh_from_db()
    assert (expected.display_name, expected.phone) == ("Hanako Y.", made.phone)


def test_no_such_user_is_none():
    assert signed_in_user(987_654_321) is None


def test_a_signed_in_customer_costs_one_query_for_their_user(client):
    user = UserFactory()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("shop:profile"))
    assert response.status_code == 200
    user_reads = [
        query
        for query in captured.captured_queries
        if "FROM shop_user" in sql_of(query).replace('"', "")
    ]
    assert len(user_reads) == 1, user_reads


def test_a_deactivated_customer_is_signed_out_on_their_next_request(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("shop:profile")).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(reverse("shop:profile"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_changed_password_still_ends_other_sessions(client):
    """The session's hash is checked against the row just read, as before."""
    user = UserFactory()
    client.force_login(user)
    user.set_password("a new and long passphrase")
    user.save()
    request = type("Request", (), {"session": client.session})()
    assert get_user(request).is_anonymous
