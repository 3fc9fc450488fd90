"""Payment providers: a small interface and the built-in test provider.

``SHOP_PAYMENT_PROVIDER`` names the class, like Django's email backends. A
provider charges a card and refunds a charge; it raises one of the
``PaymentError`` subclasses in ``shop.exceptions`` when it refuses.

Every call carries an idempotency key made from our own rows, as a real
provider (Stripe) expects: the same key returns the first result instead of
charging or refunding again, and the same key with other parameters is
refused with ``IdempotencyError``.
"""

import hashlib
import secrets
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from shop import exceptions
from shop.models import TestProviderCharge, TestProviderRefund
from shop.pricing import format_money


@dataclass(frozen=True)
class Charge:
    reference: str
    amount: int
    currency: str
    card_last4: str


@dataclass(frozen=True)
class ProviderRefund:
    """Money a provider gave back from a charge: its id for it, and how much."""

    reference: str
    amount: int


class PaymentProvider(Protocol):
    name: str

    def charge(
        self, *, amount: int, currency: str, card_number: str, idempotency_key: str
    ) -> Charge:
        """Charge the card, or return the charge already made under
        ``idempotency_key``. Raises a ``PaymentError``; ``IdempotencyError``
        when the key was used with another amount or card."""
        ...

    def refund(
        self, *, reference: str, amount: int, idempotency_key: str
    ) -> ProviderRefund:
        """Give back ``amount`` of the charge ``reference``, or return the
        refund already made under ``idempotency_key``. Raises
        ``RefundRefused`` past what the charge has left."""
        ...


def get_provider() -> PaymentProvider:
    return import_string(settings.SHOP_PAYMENT_PROVIDER)()


def _luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


class TestPaymentProvider:
    """Charges nothing real; decides by card number, like real providers'
    test modes, and otherwise follows a real provider's rules.

    | card number        | result             |
    |--------------------|--------------------|
    | 4242 4242 4242 4242 | succeeds           |
    | 4000 0000 0000 0002 | declined           |
    | 4000 0000 0000 9995 | insufficient funds |
    | 4000 0000 0000 0069 | expired card       |
    | any other valid number (Luhn) | succeeds |

    Its rules, as Stripe's:
    - The same idempotency key returns the same charge (same reference) and
      charges nothing more; with a different amount, currency or card it is
      refused with ``IdempotencyError``. Concurrent calls with one key get
      one charge (a unique key; the loser of the insert reads the winner's).
    - A refused card makes no charge and leaves its key free, as a declined
      payment leaves a Stripe PaymentIntent open for another card.
    - A refund carries its own key (the same key returns the same refund)
      and is refused (``RefundRefused``) past what the charge has left.

    Its books live in the database (``TestProviderCharge``,
    ``TestProviderRefund``), shared by every process, and are written in
    transactions of their own, committed at once as a remote provider's
    are: a call from inside one of our transactions is refused (a durable
    atomic block raises ``RuntimeError``), so a rollback of ours can never
    undo a charge, just as it could not undo a real one.
    """

    name = "test"
    __test__ = False  # not a pytest test class, despite its name

    OUTCOMES = {
        "4000000000000002": exceptions.CardDeclined,
        "4000000000009995": exceptions.InsufficientFunds,
        "4000000000000069": exceptions.CardExpired,
    }

    def charge(
        self, *, amount: int, currency: str, card_number: str, idempotency_key: str
    ) -> Charge:
        number = "".join(card_number.split()).replace("-", "")
        if not (number.isdigit() and 12 <= len(number) <= 19 and _luhn_valid(number)):
            raise exceptions.InvalidCard()
        if number in self.OUTCOMES:
            raise self.OUTCOMES[number]()
        fingerprint = hashlib.sha256(number.encode()).hexdigest()
        try:
            with transaction.atomic(durable=True):
                made = TestProviderCharge.objects.create(
                    reference=f"test_ch_{secrets.token_hex(12)}",
                    idempotency_key=idempotency_key,
                    amount=amount,
                    currency=currency,
                    card_fingerprint=fingerprint,
                    card_last4=number[-4:],
                )
        except IntegrityError:
            # The key was used before (or at this moment, by a twin whose
            # insert won): that request's charge is the answer.
            made = TestProviderCharge.objects.filter(
                idempotency_key=idempotency_key
            ).first()
            if made is None:
                raise
            if (made.amount, made.currency, made.card_fingerprint) != (
                amount,
                currency,
                fingerprint,
            ):
                raise exceptions.IdempotencyError() from None
        return Charge(
            reference=made.reference,
            amount=made.amount,
            currency=made.currency,
            card_last4=made.card_last4,
        )

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
