"""Payment providers: a small interface and the built-in test provider.

``SHOP_PAYMENT_PROVIDER`` names the class, like Django's email backends. A
provider charges a card and refunds a charge; it raises one of the
``PaymentError`` subclasses in ``shop.exceptions`` when it refuses.
"""

import secrets
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from shop import exceptions


@dataclass(frozen=True)
class Charge:
    reference: str
    amount: int
    currency: str
    card_last4: str


class PaymentProvider(Protocol):
    name: str

    def charge(
        self, *, amount: int, currency: str, card_number: str, idempotency_key: str
    ) -> Charge: ...

    def refund(self, *, reference: str, amount: int) -> None: ...


def get_provider() -> PaymentProvider:
    return import_string(settings.SHOP_PAYMENT_PROVIDER)()


def _luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


class TestPaymentProvider:
    """Charges nothing; decides by card number, like real providers' test modes.

    | card number        | result             |
    |--------------------|--------------------|
    | 4242 4242 4242 4242 | succeeds           |
    | 4000 0000 0000 0002 | declined           |
    | 4000 0000 0000 9995 | insufficient funds |
    | 4000 0000 0000 0069 | expired card       |
    | any other valid number (Luhn) | succeeds |
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
        return Charge(
            reference=f"test_ch_{secrets.token_hex(12)}",
            amount=amount,
            currency=currency,
            card_last4=number[-4:],
        )

    def refund(self, *, reference: str, amount: int) -> None:
        """The test provider keeps no balance: a refund always succeeds."""
