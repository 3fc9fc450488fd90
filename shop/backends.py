"""The sign-in backends of ``AUTHENTICATION_BACKENDS``: Django's and
allauth's, as they are, except for how a signed-in request finds its user.

Every signed-in request loads its user (``AuthenticationMiddleware``), so
that read is the one query every page and form of a customer pays for.
Django's ``ModelBackend.get_user`` builds it through the ORM each time,
about 0.2 ms of CPU, more than the query itself; here the statement is
built once per process from the model's fields and each request only runs
it (``signed_in_user``). What may sign in is unchanged: the same row, the
same ``user_can_authenticate`` (inactive users are signed out).

Changing these paths signs out every session made with the old ones
(Django keeps the backend's path in the session and refuses one no longer
listed).
"""

import functools

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.db import connections, router

from shop.models import User


@functools.cache
def _user_statement(alias: str) -> tuple[str, list[str], list[tuple[int, object]]]:
    """The SELECT of one user by id on database ``alias``, the attribute
    of each column, and the converters of the columns that have one (the
    phone number's): what ``QuerySet.get(pk=…)`` would run and apply."""
    fields = User._meta.concrete_fields
    connection = connections[alias]
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {', '.join(quote(field.column) for field in fields)}"  # noqa: S608 - no input
        f" FROM {quote(User._meta.db_table)} WHERE {quote(User._meta.pk.column)} = %s"
    )
    converters = [
        (index, converter)
        for index, field in enumerate(fields)
        for converter in field.get_db_converters(connection)
    ]
    return sql, [field.attname for field in fields], converters


def signed_in_user(user_id) -> User | None:
    """The user with this id as the ORM would load it, or None."""
    alias = router.db_for_read(User)
    sql, attnames, converters = _user_statement(alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    fields = User._meta.concrete_fields
    for index, converter in converters:
        values[index] = converter(values[index], fields[index], connection)
    return User.from_db(alias, attnames, values)


class _SignedInUser:
    def get_user(self, user_id):
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_SignedInUser, django_backends.ModelBackend):
    """Django's: the admin's sign-in, by email and password."""


class AuthenticationBackend(_SignedInUser, allauth_backends.AuthenticationBackend):
    """allauth's: the shop's sign-in."""
