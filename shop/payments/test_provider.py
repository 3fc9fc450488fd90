"""The built-in test provider: Stripe Checkout's shape, with no Stripe.

``make run`` and the tests take payments through it with no account: a
hosted payment page of our own (``shop.views.test_provider``) takes the test
cards and then posts a signed event to the shop's webhook endpoint, as
Stripe would. The shop's side (checkout, the webhook, the return page,
refunds) is the production code path, unchanged.

It keeps a real provider's rules:
- Its books are in tables of its own (``shop.models.provider_ledger``),
  written in transactions committed at once, as a remote provider's are: a
  call from inside one of our transactions is refused (a durable atomic
  block raises ``RuntimeError``), so a rollback of ours can never undo a
  payment, just as it could not undo a real one.
- Idempotency keys: the same key returns the same session or refund; with
  other parameters it is refused (``IdempotencyError``); concurrent calls
  with one key make one object (a unique key; the loser reads the winner's).
- A session is paid at most once, closes for good when it expires, and a
  refused card leaves it open for another, as Stripe's page does.
- Refunds are refused past what the payment has left.
- Events are signed as Stripe signs them (``Stripe-Signature``, with a
  timestamp checked against a tolerance), delivered after the provider's
  own commit by a Celery task, and retried with growing waits until the
  endpoint answers 2xx. Nothing is delivered when no endpoint is set, as
  with a Stripe account that has none.

| card number         | result             |
|---------------------|--------------------|
| 4242 4242 4242 4242 | succeeds           |
| 4000 0000 0000 0002 | declined           |
| 4000 0000 0000 9995 | insufficient funds |
| 4000 0000 0000 0069 | expired card       |
| any other valid number (Luhn) | succeeds |
"""

import dataclasses
import datetime
import hashlib
import hmac
import json
import secrets
import time

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shop import exceptions
from shop.models import TestProviderCharge, TestProviderRefund, TestProviderSession
from shop.pricing import format_money

from .base import (
    CheckoutSession,
    Event,
    InvalidEvent,
    ProviderRefund,
    event_from_stripe,
    session_from_stripe,
)

TOLERANCE_SECONDS = 300


def _luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def webhook_secret() -> str:
    """The secret the test provider signs its events with: set, or made
    from ``SECRET_KEY`` so that run mode needs none."""
    if settings.SHOP_TEST_PROVIDER_WEBHOOK_SECRET:
        return settings.SHOP_TEST_PROVIDER_WEBHOOK_SECRET
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"hoshii-test-provider", hashlib.sha256
    )
    return f"whsec_{digest.hexdigest()[:32]}"


def sign(payload: str, *, timestamp: int | None = None, secret: str = "") -> str:
    """A ``Stripe-Signature`` header for ``payload``, as Stripe makes it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.{payload}".encode()
    mac = hmac.new((secret or webhook_secret()).encode(), signed, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _locked_session(session_id: str) -> TestProviderSession:
    """The session's row, locked. Its charge is read after the lock, by a
    statement of its own: joined into the locking one, a charge made by a
    twin we waited for would read as none (PostgreSQL rechecks the locked
    row, not the joined one), and a paid session would be returned with
    no reference to refund."""
    return TestProviderSession.objects.select_for_update().get(reference=session_id)


class TestPaymentProvider:
    """Charges nothing real; see the module's documentation for its rules."""

    name = "test"
    page_origins: tuple[str, ...] = ()  # our own origin: 'self'
    __test__ = False  # not a pytest test class, despite its name

    OUTCOMES = {
        "4000000000000002": exceptions.CardDeclined,
        "4000000000009995": exceptions.InsufficientFunds,
        "4000000000000069": exceptions.CardExpired,
    }

    # --- the API the shop calls ---------------------------------------------

    def start_checkout(
        self,
        *,
        amount: int,
        currency: str,
        description: str,
        customer_email: str,
        locale: str,
        success_url: str,
        cancel_url: str,
        expires_at: datetime.datetime,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> CheckoutSession:
        try:
            with transaction.atomic(durable=True):
                session = TestProviderSession.objects.create(
                    reference=f"test_cs_{secrets.token_hex(12)}",
                    idempotency_key=idempotency_key,
                    amount=amount,
                    currency=currency,
                    description=description[:200],
                    metadata=metadata,
                    success_url=success_url,
                    cancel_url=cancel_url,
                    expires_at=expires_at,
                )
        except IntegrityError:
            session = TestProviderSession.objects.filter(
                idempotency_key=idempotency_key
            ).first()
            if session is None:
                raise
            if (session.amount, session.currency, session.metadata) != (
                amount,
                currency,
                metadata,
            ):
                raise exceptions.IdempotencyError() from None
        return self._state(session)

    def retrieve_checkout(self, session_id: str) -> CheckoutSession:
        session = TestProviderSession.objects.select_related("charge").get(
            reference=session_id
        )
        if (
            session.status == session.Status.OPEN
            and session.expires_at <= timezone.now()
        ):
            return self.expire_checkout(session_id)
        return self._state(session)

    def expire_checkout(self, session_id: str) -> CheckoutSession:
        with transaction.atomic(durable=True):
            session = _locked_session(session_id)
            self._close(session)
        return self._state(session)

    def refund(
        self, *, reference: str, amount: int, idempotency_key: str
    ) -> ProviderRefund:
        try:
            with transaction.atomic(durable=True):
                made = self._refund(
                    reference=reference, amount=amount, idempotency_key=idempotency_key
                )
        except IntegrityError:
            # The key belongs to a refund of another charge.
            raise exceptions.IdempotencyError(
                _("This refund key was already used for another charge.")
            ) from None
        return ProviderRefund(reference=made.reference, amount=made.amount)

    def verify_event(self, payload: bytes, headers: dict[str, str]) -> Event:
        header = headers.get("Stripe-Signature", "")
        try:
            text = payload.decode()
            stripe.WebhookSignature.verify_header(
                text, header, webhook_secret(), TOLERANCE_SECONDS
            )
            return event_from_stripe(json.loads(text))
        except (stripe.SignatureVerificationError, ValueError, KeyError) as error:
            raise InvalidEvent(str(error)) from None

    # --- the hosted page -------------------------------------------------------

    def page(self, session_id: str) -> TestProviderSession:
        """The session the hosted page shows (expired if its time is up)."""
        self.retrieve_checkout(session_id)
        return TestProviderSession.objects.get(reference=session_id)

    def pay(self, session_id: str, card_number: str) -> CheckoutSession:
        """The customer pays the session on the hosted page with a card.

        A session is paid once: paying again returns it as it is. A card
        the test table refuses raises its ``PaymentError`` and leaves the
        session open for another card."""
        number = "".join(card_number.split()).replace("-", "")
        with transaction.atomic(durable=True):
            session = _locked_session(session_id)
            if session.expires_at <= timezone.now():
                self._close(session)
            if session.status != session.Status.OPEN:
                return self._state(session)
            error = self._refusal(number)
            if error is None:
                session.charge = TestProviderCharge.objects.create(
                    reference=f"test_pi_{secrets.token_hex(12)}",
                    idempotency_key=f"session-{session.reference}",
                    amount=session.amount,
                    currency=session.currency,
                    card_fingerprint=hashlib.sha256(number.encode()).hexdigest(),
                    card_last4=number[-4:],
                )
                session.status = session.Status.COMPLETE
                session.last_error = ""
                self._send_event("checkout.session.completed", session)
            else:
                session.last_error = str(error.message)[:200]
            session.save(update_fields=["charge", "status", "last_error"])
        if error is not None:
            raise error
        return self._state(session)

    def expire_due(self) -> int:
        """Expire every open session whose time is up, as Stripe does on its
        own; returns how many."""
        due = TestProviderSession.objects.filter(
            status=TestProviderSession.Status.OPEN, expires_at__lte=timezone.now()
        ).values_list("reference", flat=True)
        for reference in due:
            self.expire_checkout(reference)
        return len(due)

    # --- its workings ------------------------------------------------------------

    def _close(self, session: TestProviderSession) -> None:
        """Expire a locked session if it is open, and say so by event."""
        if session.status == session.Status.OPEN:
            session.status = session.Status.EXPIRED
            session.save(update_fields=["status"])
            self._send_event("checkout.session.expired", session)

    def _refusal(self, number: str) -> exceptions.PaymentError | None:
        if not (number.isdigit() and 12 <= len(number) <= 19 and _luhn_valid(number)):
            return exceptions.InvalidCard()
        if number in self.OUTCOMES:
            return self.OUTCOMES[number]()
        return None

    def _stripe_shape(self, session: TestProviderSession) -> dict:
        paid = session.status == session.Status.COMPLETE
        return {
            "id": session.reference,
            "object": "checkout.session",
            "mode": "payment",
            "status": session.status,
            "payment_status": "paid" if paid else "unpaid",
            "amount_total": session.amount,
            "currency": session.currency.lower(),
            "payment_intent": session.charge.reference if session.charge else None,
            "metadata": session.metadata,
            "url": reverse("shop:test_provider_page", args=[session.reference]),
            "expires_at": int(session.expires_at.timestamp()),
        }

    def _state(self, session: TestProviderSession) -> CheckoutSession:
        state = session_from_stripe(self._stripe_shape(session))
        if session.charge is None:
            return state
        return dataclasses.replace(state, card_last4=session.charge.card_last4)

    def _send_event(self, type: str, session: TestProviderSession) -> None:
        """Queue the event for delivery once this (the provider's own)
        transaction commits: a rolled-back change sends nothing."""
        if not settings.SHOP_TEST_PROVIDER_WEBHOOK_URL:
            return
        from shop.tasks import deliver_test_provider_event

        event = {
            "id": f"evt_test_{secrets.token_hex(12)}",
            "object": "event",
            "type": type,
            "created": int(time.time()),
            "data": {"object": self._stripe_shape(session)},
        }
        payload = json.dumps(event)
        transaction.on_commit(
            lambda: deliver_test_provider_event.delay(payload=payload), robust=True
        )

    def _refund(
        self, *, reference: str, amount: int, idempotency_key: str
    ) -> TestProviderRefund:
        # The charge's row serialises its refunds: two with one key give one.
        charge = (
            TestProviderCharge.objects.select_for_update()
            .filter(reference=reference)
            .first()
        )
        if charge is None:
            raise exceptions.RefundRefused(
                _("No such charge: %(reference)s.") % {"reference": reference}
            )
        existing = TestProviderRefund.objects.filter(
            idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            if (existing.charge_id, existing.amount) != (charge.pk, amount):
                raise exceptions.IdempotencyError(
                    _("This refund key was already used with other details.")
                )
            return existing
        refunded = charge.refunds.aggregate(total=Sum("amount"))["total"] or 0
        left = charge.amount - refunded
        if not 1 <= amount <= left:
            raise exceptions.RefundRefused(
                _(
                    "A refund of %(amount)s is more than the %(left)s left on "
                    "charge %(reference)s."
                )
                % {
                    "amount": format_money(amount, charge.currency),
                    "left": format_money(left, charge.currency),
                    "reference": charge.reference,
                }
            )
        return TestProviderRefund.objects.create(
            reference=f"test_re_{secrets.token_hex(12)}",
            idempotency_key=idempotency_key,
            charge=charge,
            amount=amount,
        )
