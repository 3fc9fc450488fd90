"""The fake Stripe's fixture, ``fake_stripe``, is in ``tests/conftest.py``
now, for every app's payment tests; it is still importable from here."""

from tests.conftest import fake_stripe

__all__ = ["fake_stripe"]
