"""Signed-in customers for the benchmarks, made in bulk: each has a user,
a default address in Tokyo and a database session the load generator sends
as its cookie, also in the session cache where the settings keep one, as
for a customer who has been browsing."""

from dataclasses import dataclass


@dataclass
class Shopper:
    user_id: int
    session: str
    phone: str
    address_id: int
    cart_id: int | None = None


def make_shoppers(
    prefix: str, count: int, *, phone_from: int, session=None
) -> list[Shopper]:
    """Signed-in customers: user, default address, a database session (with
    what ``session(user_id)`` gives added to it, such as
    ``second_factor_used`` for staff)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends import cached_db
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from shop.models import Address, User

    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            email=f"{prefix}{index}@bench.test",
            display_name=f"{prefix.title()} {index}",
            phone=f"+81901{phone_from + index:07d}",
            password=password,
        )
        for index in range(count)
    )
    addresses = Address.objects.bulk_create(
        Address(
            user=user, recipient_name=user.display_name, country="JP",
            postal_code="150-0041", region="JP-13", city="渋谷区神南",
            line1="1-2-3", phone=user.phone, is_default=True,
        )
        for user in users
    )  # fmt: skip
    store = SessionStore()
    expires = timezone.now() + timezone.timedelta(days=14)
    sessions = [
        Session(
            session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
            session_data=store.encode(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                    **(session(user.pk) if session else {}),
                }
            ),
            expire_date=expires,
        )
        for user in users
    ]
    Session.objects.bulk_create(sessions)
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db":
        caches[settings.SESSION_CACHE_ALIAS].set_many(
            {
                cached_db.KEY_PREFIX + session.session_key: store.decode(
                    session.session_data
                )
                for session in sessions
            },
            timeout=int((expires - timezone.now()).total_seconds()),
        )
    return [
        Shopper(user.pk, session.session_key, str(user.phone), address.pk)
        for user, session, address in zip(users, sessions, addresses, strict=True)
    ]


def second_factor_used(user_id: int) -> dict:
    """What allauth keeps in a session signed in with password and TOTP: the
    staff second-factor check (core.middleware) reads it to let staff into
    the admin. allauth also ties the records to the user they are for."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    return {
        AUTHENTICATION_METHODS_SESSION_KEY: [
            {"method": "password", "at": time.time()},
            {"method": "mfa", "type": "totp", "at": time.time()},
        ],
        "account_authentication_methods_user": str(user_id),
    }
