"""The shop's part of closing a customer's account (``privacy.closure``
runs the steps): their unpaid orders cancelled, their orders kept for the
books but stripped of what identifies them, their address book, store
credit and sign-in erased.

Each verb is idempotent: run again (a retry after a crash, a double click),
it finds its work done and changes nothing.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.models import (
    Address,
    Order,
    OrderEvent,
    Payment,
    StoreCreditAccount,
    StoreCreditEntry,
    User,
)
from shop.services.payments import close_payment
from shop.services.refunds import refund_order_line
from shop.services.retention import forget_destinations
from shop.services.stock import release_stock

# What a closed account's email becomes: unique (the column is), and
# undeliverable by definition (RFC 2606 reserves ``.invalid``), so nothing
# we send afterwards can reach anyone.
CLOSED_EMAIL = "closed-{pk}@closed.invalid"

# Orders the customer has paid for that have not (all) left the warehouse:
# a closure waits for them (``unshipped_orders``).
UNSHIPPED = (Order.Status.PLACED, Order.Status.PARTIALLY_SHIPPED)


def closed_email(user: User) -> str:
    return CLOSED_EMAIL.format(pk=user.pk)


def unshipped_orders(user: User):
    """The customer's paid orders still to ship: a closure is refused while
    there is one (they would ship to an address we are about to erase)."""
    return Order.objects.filter(buyer=user, status__in=UNSHIPPED).order_by("pk")


def unpaid_orders(user: User):
    """The customer's orders awaiting payment: a closure cancels them."""
    return Order.objects.filter(
        buyer=user, status=Order.Status.AWAITING_PAYMENT
    ).order_by("pk")


def store_credit_balance(user: User) -> int:
    account = StoreCreditAccount.objects.filter(user=user).first()
    return account.balance if account else 0


@transaction.atomic
def end_sign_in(*, user: User) -> User:
    """The account can no longer be used: inactive, no usable password. Every
    session it has ends with it: Django checks each request's session against
    the password's hash and refuses an inactive user, so a browser still
    signed in elsewhere is signed out on its next request."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active or user.has_usable_password():
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
    return user


def cancel_unpaid_orders(*, user: User, actor: User | None) -> list[Order]:
    """Cancel every order of the customer still awaiting payment, by the
    shop's own path (``close_payment``): the provider's page is closed, the
    stock and any store credit it held go back. One paid at the last moment
    is placed instead, and returned among the orders so the caller can see
    it now waits to ship. Raises ``payments.ProviderUnavailable`` if the
    provider cannot be reached (run again later)."""
    return [close_payment(order=order, actor=actor) for order in unpaid_orders(user)]


def cancel_unshipped_order(
    *, order: Order, actor: User | None, reason: str
) -> tuple[Order, bool]:
    """Cancel a paid order nothing of which has been packed or shipped, and
    give all of it back to the payments it came from.

    Returns the order and whether this call cancelled it (so the caller
    tells its buyer once).

    Guarantees:
    - Only an order ``placed`` with no shipment at all is cancelled (its row
      locked); one being packed or on its way is returned unchanged.
    - The cancellation (status, stock back, timeline) commits before any
      money moves; each line's refund is keyed ``cancel-<order>-<line>``, so
      a retry after a crash or a provider timeout refunds what is left and
      nothing twice (``refund_order_line``).
    """
    cancelled_now = False
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == Order.Status.PLACED and not locked.shipments.exists():
            cancelled_now = True
            Order.objects.filter(pk=locked.pk).update(status=Order.Status.CANCELLED)
            locked.status = Order.Status.CANCELLED
            for line in locked.lines.order_by("product_id"):
                release_stock(product_id=line.product_id, quantity=line.quantity)
            OrderEvent.objects.create(
                order=locked,
                actor=actor,
                kind=OrderEvent.Kind.CANCELLED,
                message=reason[:255],
            )
        elif locked.status != Order.Status.CANCELLED:
            return locked, False
    if locked.payments.filter(status=Payment.Status.CAPTURED).exists():
        # The shipping fee goes back with the first line: nothing shipped.
        for index, line in enumerate(locked.lines.order_by("pk")):
            refund_order_line(
                order_line=line,
                quantity=line.quantity,
                actor=actor,
                reference=f"cancel-{locked.pk}-{line.pk}",
                reason=reason,
                shipping=locked.shipping_fee if index == 0 else 0,
            )
    return locked, cancelled_now


def erase_destination(*, orders, keep_address: bool = False) -> int:
    """Blank who an order shipped to and where, keeping what the books need
    (amounts, dates, items, tax: the country and prefecture the sale was
    made to): the name a buyer sees of a hidden recipient, and the address
    as retention forgets it (``forget_destinations``, which notes when).
    Used for the closing customer's own orders and for gifts sent to them;
    ``keep_address`` blanks only the name (a gift still on its way needs its
    label). Returns how many rows changed; again, none."""
    chosen = Order.objects.filter(pk__in=orders.values("pk"))
    changed = chosen.exclude(ship_to_display_name="").update(ship_to_display_name="")
    if not keep_address:
        changed += forget_destinations(orders=chosen, now=timezone.now())
    return changed


@transaction.atomic
def anonymise_orders(*, user: User) -> None:
    """The customer's orders stay (the buyer link too: the books must add
    up, and a refund still finds its order), without their email, name,
    address or phone."""
    email = closed_email(user)
    Order.objects.filter(buyer=user).exclude(email=email).update(email=email)
    erase_destination(orders=Order.objects.filter(buyer=user))


@transaction.atomic
def delete_addresses(*, user: User) -> int:
    """Empty the address book; orders keep (now blanked) copies of their
    own. Returns how many went."""
    deleted, _by_model = Address.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def forfeit_store_credit(*, user: User, actor: User | None) -> StoreCreditEntry | None:
    """Take the balance left to zero, with a ledger entry that says why
    (the customer was warned of the amount). Once: the entry's reference is
    the account's, and a zero balance forfeits nothing."""
    account = StoreCreditAccount.objects.select_for_update().filter(user=user).first()
    reference = f"forfeit-{user.pk}"
    existing = StoreCreditEntry.objects.filter(reference=reference).first()
    if account is None or existing is not None or account.balance == 0:
        return existing
    amount = account.balance
    StoreCreditAccount.objects.filter(pk=account.pk).update(
        balance=F("balance") - amount
    )
    return StoreCreditEntry.objects.create(
        account=account,
        kind=StoreCreditEntry.Kind.FORFEITED,
        amount=-amount,
        reason=_("Forfeited when the account was closed"),
        reference=reference,
        actor=actor,
    )


@transaction.atomic
def anonymise_user(*, user: User) -> User:
    """The last step: no name, email, phone, sign-in email or second factor
    is left on the account row. The row stays (orders, refunds and the
    audit trail point at it), as "closed-<id>@closed.invalid"; its language
    stays, so nothing written to the books in its name changes language."""
    user = User.objects.select_for_update().get(pk=user.pk)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = closed_email(user)
    user.display_name = ""
    user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "display_name", "phone", "is_active", "password"])
    return user
