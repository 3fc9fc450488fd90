"""The sign-in backends of ``AUTHENTICATION_BACKENDS``: Django's and
allauth's, as they are, except for how a signed-in request finds its user.

Every signed-in request loads its user (``AuthenticationMiddleware``), so
that read is the one query every page and form of a customer pays for.
Django's ``ModelBackend.get_user`` builds it through the ORM each time,
about 0.2 ms of CPU, more than the query itself; here it is built once
per process (``core.rows.Statement``, ``signed_in_user``). What may sign in is
unchanged: the same row, the same ``user_can_authenticate`` (inactive
users are signed out).

Changing these paths signs out every session made with the old ones
(Django keeps the backend's path in the session and refuses one no longer
listed).
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends

from core import rows
from shop.models import User


def _user(pk: int):
    return User.objects.filter(pk=pk)


_USER = rows.Statement(_user)


def signed_in_user(user_id) -> User | None:
    """The user with this id as the ORM would load it, or None."""
    return _USER.first(pk=user_id)


class _SignedInUser:
    def get_user(self, user_id):
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_SignedInUser, django_backends.ModelBackend):
    """Django's: the admin's sign-in, by email and password."""


class AuthenticationBackend(_SignedInUser, allauth_backends.AuthenticationBackend):
    """allauth's: the shop's sign-in."""
