"""What a payment provider is to the shop: a hosted payment page (a
checkout session) that the provider confirms by signed events, refunds, and
the errors it raises.

The shop never sees a card number: checkout sends the customer to the
provider's page and learns the outcome from the provider (its signed
webhook event, or by asking it about the session), never from the browser.
A provider is a class named by ``SHOP_PAYMENT_PROVIDER``, like Django's email
backends; ``shop.payments.PROVIDERS`` finds the one a past payment was made
with, so refunds go back through it whatever is configured today.
"""

import datetime
from dataclasses import dataclass, field
from typing import Protocol

from shop.exceptions import ShopError

OPEN, PAID, EXPIRED = "open", "paid", "expired"


@dataclass(frozen=True)
class CheckoutSession:
    """A hosted payment page and what became of it.

    ``status`` is ``open`` (not paid yet; the customer may still pay),
    ``paid`` (the money is the shop's: ``reference`` is the provider's id
    for it, where refunds go) or ``expired`` (closed unpaid: it can never be
    paid)."""

    id: str
    status: str
    url: str = ""
    amount: int = 0
    reference: str = ""
    card_last4: str = ""
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderRefund:
    """Money a provider gave back from a payment: its id for it, and how much."""

    reference: str
    amount: int


@dataclass(frozen=True)
class Event:
    """A provider's event, verified: its id (events are acted on once by it),
    its type, and the checkout session it is news of (``None`` for events the
    shop does not act on)."""

    id: str
    type: str
    session: CheckoutSession | None
    # When the provider created it (its clock), if it says: how late the
    # webhook arrived is measured from it.
    created: datetime.datetime | None = None


class InvalidEvent(ShopError):
    """A webhook whose signature is missing, wrong or too old, or whose body
    is not an event: nothing is done with it."""


class ProviderUnavailable(ShopError):
    """The provider could not be reached or failed (a timeout, a 5xx): the
    call may or may not have happened, so it is retried with the same
    idempotency key, never with a new one."""


class PaymentProvider(Protocol):
    name: str
    # Where the browser goes for the hosted page, for the Content Security
    # Policy's form-action on the pages that send it there.
    page_origins: tuple[str, ...]

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
        """Open a hosted payment page for ``amount``, or return the one
        already opened under ``idempotency_key``."""
        ...

    def retrieve_checkout(self, session_id: str) -> CheckoutSession:
        """The session as the provider has it now."""
        ...

    def expire_checkout(self, session_id: str) -> CheckoutSession:
        """Close an open session so it can no longer be paid, and return it
        as it ends: ``expired``, or ``paid`` if the customer paid first."""
        ...

    def refund(
        self, *, reference: str, amount: int, idempotency_key: str
    ) -> ProviderRefund:
        """Give back ``amount`` of the payment ``reference``, or return the
        refund already made under ``idempotency_key``. Raises
        ``RefundRefused`` past what the payment has left."""
        ...

    def verify_event(self, payload: bytes, headers: dict[str, str]) -> Event:
        """The event a webhook carries, if its signature is the provider's
        and recent; raises ``InvalidEvent`` otherwise."""
        ...


# The Stripe event types the shop acts on (both providers send them), and
# what each says of its checkout session.
SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}


def session_from_stripe(obj: dict) -> CheckoutSession:
    """A Stripe-shaped Checkout Session object as a ``CheckoutSession``."""
    if obj.get("status") == "complete" and obj.get("payment_status") in (
        "paid",
        "no_payment_required",
    ):
        status = PAID
    elif obj.get("status") == "expired":
        status = EXPIRED
    else:
        status = OPEN
    intent = obj.get("payment_intent") or ""
    if isinstance(intent, dict):
        intent = intent.get("id", "")
    return CheckoutSession(
        id=obj["id"],
        status=status,
        url=obj.get("url") or "",
        amount=obj.get("amount_total") or 0,
        reference=intent,
        metadata=dict(obj.get("metadata") or {}),
    )


def event_from_stripe(event: dict) -> Event:
    """A Stripe-shaped event as an ``Event``: session events carry their
    session; ``async_payment_failed`` closes it as ``expired`` (it can never
    be paid)."""
    session = None
    if event.get("type") in SESSION_EVENTS:
        session = session_from_stripe(event["data"]["object"])
        if event["type"] == "checkout.session.async_payment_failed":
            session = CheckoutSession(
                id=session.id, status=EXPIRED, metadata=session.metadata
            )
    created = event.get("created")
    return Event(
        id=event["id"],
        type=event["type"],
        session=session,
        created=(
            datetime.datetime.fromtimestamp(created, tz=datetime.UTC)
            if isinstance(created, int | float)
            else None
        ),
    )
