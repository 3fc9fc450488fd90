"""An order's payment, from the hosted page to placed or cancelled.

Checkout writes an order that needs a card payment as *awaiting payment*,
with its stock and store credit held and a ``pending`` card ``Payment``
(``record_tenders``). The customer is sent to the provider's hosted page
(``start_payment``). The provider's word settles it, however it arrives:
a signed webhook event (``handle_event``), the customer's return asking the
provider (``refresh_payment``), the customer cancelling or the sweep closing
a payment that took too long (``close_payment``). All of them end in
``settle``, which is idempotent on the payment and the order:

- A paid session places the order once; a second word of it changes
  nothing. A payment that arrives for an order already cancelled (the
  customer paid as it closed) is captured and refunded at once: money is
  never kept for an order that does not ship.
- An expired or failed session cancels the order only while it awaits that
  payment: a late failure never undoes a success.
"""

import datetime
import logging

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core import rows
from shop import hooks, metrics, payments
from shop.models import Order, OrderEvent, Payment, PaymentEvent, User
from shop.services.credit import issue_store_credit, spend_store_credit
from shop.services.stock import release_stock

logger = logging.getLogger(__name__)

# A session lives this long at the provider (Stripe allows at most 24
# hours); the shop closes it itself after SHOP_PAYMENT_MINUTES. A fixed
# offset from our row keeps the call's parameters the same on a retry.
SESSION_LIFETIME = datetime.timedelta(hours=23)


def record_tenders(
    *, order: Order, buyer: User, credit: int, card: int, provider_name: str
) -> None:
    """Write what pays for ``order``, inside checkout's transaction:
    ``credit`` spent from the buyer's store credit at once (the account
    locked and checked again), and ``card`` as a pending card payment, kept
    on ``order`` for the next ``pending_payment`` (``start_payment``, right
    after checkout), which then need not read it back."""
    if credit:
        spend_store_credit(user=buyer, amount=credit, order=order)
        rows.insert(
            [
                Payment(
                    order=order,
                    provider=Payment.STORE_CREDIT,
                    reference=f"credit-order-{order.pk}",
                    amount=credit,
                    currency=order.currency,
                    status=Payment.Status.CAPTURED,
                    settled_at=timezone.now(),
                )
            ]
        )
    if card:
        (order._written_card_payment,) = rows.insert(
            [
                Payment(
                    order=order,
                    provider=provider_name,
                    amount=card,
                    currency=order.currency,
                    status=Payment.Status.PENDING,
                )
            ]
        )


def pending_payment(order: Order) -> Payment | None:
    """The card payment ``order`` awaits, if it awaits one."""
    if order.status != Order.Status.AWAITING_PAYMENT:
        return None
    written = order.__dict__.pop("_written_card_payment", None)
    if written is not None:
        # Just written with ``order`` by checkout (``record_tenders``), and
        # asked for the first time since (by ``start_payment``): no session
        # is open for it yet, so nothing can have settled it. Taken once:
        # any later call reads the row as it is then.
        return written
    # Built once per process (the first return page reads it on every order
    # it places): building it was half of the read's CPU.
    return _PENDING_CARD_PAYMENT.first(order=order.pk)


def _pending_card_payment(order: int) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(order=order, status=Payment.Status.PENDING)
        .exclude(provider=Payment.STORE_CREDIT)
        .order_by("pk")[:1]
    )


_PENDING_CARD_PAYMENT = rows.Statement(_pending_card_payment)


def start_payment(*, order: Order) -> str | None:
    """The hosted payment page for the card payment ``order`` awaits, opened
    at the provider if it is not yet; ``None`` if it awaits none.

    Safe to call twice at once, or again after a crash or a timeout: the
    provider call's idempotency key and parameters come from our rows
    (``payment-<id>``, the order's number, times fixed from the payment's),
    so every call gets the one session. Raises ``ProviderUnavailable`` if
    the provider cannot be reached; the order keeps waiting.
    """
    payment = pending_payment(order)
    if payment is None:
        return None
    if payment.checkout_url:
        return payment.checkout_url
    provider = payments.get_provider(payment.provider)
    site = settings.SITE_URL
    with override(order.buyer.language or settings.LANGUAGE_CODE):
        description = _("Hoshii order %(number)s") % {"number": order.number}
        locale = "ja" if (order.buyer.language or "").startswith("ja") else "en"
    session = provider.start_checkout(
        amount=payment.amount,
        currency=payment.currency,
        description=description,
        customer_email=order.email,
        locale=locale,
        success_url=site + reverse("shop:payment_return", args=[order.pk]),
        cancel_url=site + order.get_absolute_url(),
        expires_at=payment.created_at + SESSION_LIFETIME,
        metadata={"order": str(order.pk), "payment": str(payment.pk)},
        idempotency_key=payment.idempotency_key,
    )
    _RECORD_SESSION.run(pk=payment.pk, session_id=session.id, url=session.url)
    return session.url


def _record_session(pk: int, session_id: str, url: str):
    return (
        Payment.objects.filter(pk=pk, session_id=""),
        {"session_id": session_id, "checkout_url": url},
    )


# Built once per process: every payment started records its session.
_RECORD_SESSION = rows.Update(_record_session)


def refresh_payment(*, order: Order) -> Order:
    """Ask the provider how the order's payment stands and settle it if it
    has ended: the return page does, so a late webhook never leaves the
    customer on "processing". Returns the order as it is now."""
    payment = pending_payment(order)
    if payment is None and order.status == Order.Status.AWAITING_PAYMENT:
        # Settled since ``order`` was read (the webhook came first).
        return Order.objects.get(pk=order.pk)
    if payment is None or not payment.session_id:
        return order
    session = payments.get_provider(payment.provider).retrieve_checkout(
        payment.session_id
    )
    if session.status == payments.OPEN:
        return order
    settled, _outcome = settle(provider_name=payment.provider, session=session)
    # The order as ``settle`` locked and left it, or read again if it found
    # none (it always finds this one: its payment has this session).
    return settled.order if settled is not None else Order.objects.get(pk=order.pk)


def close_payment(*, order: Order, actor: User | None = None) -> Order:
    """End the payment ``order`` awaits: the customer cancelled, or it took
    longer than ``SHOP_PAYMENT_MINUTES``. The provider closes the session
    first, so it can no longer be paid; if the customer paid before it
    closed, the order is placed instead. Returns the order as it is now."""
    payment = pending_payment(order)
    if payment is None:
        return Order.objects.get(pk=order.pk)
    if payment.session_id:
        session = payments.get_provider(payment.provider).expire_checkout(
            payment.session_id
        )
        settle(provider_name=payment.provider, session=session, actor=actor)
    else:
        # Never opened at the provider: nothing there can be paid. (A
        # session a twin opens from now on is refused by the order's state;
        # one paid anyway is refunded by ``settle``.)
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            if locked.status == Order.Status.AWAITING_PAYMENT:
                _cancel(locked, actor=actor, why=_("The payment was not started."))
    return Order.objects.get(pk=order.pk)


def handle_event(*, provider_name: str, event: payments.Event) -> str:
    """Act on a verified provider event once; returns what it did, in words
    for the event's record. A second delivery of the same event (later, or
    at the same moment) does nothing: the event's row is written in the
    same transaction as its effect, and its id is unique. The row goes in
    first, so a twin delivered at the same moment waits on it and then
    finds it."""
    if event.created is not None:
        # Every delivery, a provider's retries too: how late they arrive.
        metrics.WEBHOOK_LAG.labels(provider=provider_name).observe(
            max((timezone.now() - event.created).total_seconds(), 0)
        )
    with transaction.atomic():
        record_id = _record_event(provider_name, event)
        if record_id is None:
            return "already handled"
        payment, outcome = None, "not acted on"
        if event.session is not None:
            payment, outcome = settle(
                provider_name=provider_name, session=event.session
            )
        _record_outcome(record_id, payment, outcome)
    return outcome


def _record_event(provider_name: str, event: payments.Event) -> int | None:
    """Insert the event's row, or nothing if it is there: its id, or
    ``None`` for an event already recorded. One statement with no savepoint
    (a webhook's hot path): ``ON CONFLICT DO NOTHING`` waits for a twin's
    transaction like a plain INSERT would, and then skips."""
    table = PaymentEvent._meta.db_table
    with connection.cursor() as cursor:
        rows.execute(
            cursor,
            f"INSERT INTO {table} "  # noqa: S608 (our table's name, no input)
            "(provider, event_id, type, outcome, received_at) "
            "VALUES (%s, %s, %s, '', %s) "
            "ON CONFLICT (provider, event_id) DO NOTHING RETURNING id",
            [provider_name, event.id, event.type[:80], timezone.now()],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _record_outcome(record_id: int, payment: Payment | None, outcome: str) -> None:
    """What the event recorded by ``_record_event`` did, and to which
    payment: a plain UPDATE, one on every webhook, written as SQL like the
    INSERT (a third of the CPU of the ORM's)."""
    table = PaymentEvent._meta.db_table
    with connection.cursor() as cursor:
        rows.execute(
            cursor,
            f"UPDATE {table} SET payment_id = %s, outcome = %s "  # noqa: S608
            "WHERE id = %s",
            [payment.pk if payment is not None else None, outcome[:200], record_id],
        )


def settle(
    *,
    provider_name: str,
    session: payments.CheckoutSession,
    actor: User | None = None,
) -> tuple[Payment | None, str]:
    """Record how a checkout session ended, once. Returns the payment it
    belongs to (``None`` if none of ours) and what was done. Inside a
    caller's transaction (a webhook's) it adds no savepoint: a failure here
    rolls the caller back too, as it should."""
    if not session.id:
        # Payments not yet opened at the provider have no session: a
        # session without an id is none of theirs.
        return None, "no payment of ours"
    with transaction.atomic(savepoint=False):
        # The order's row is what serialises everything that settles it,
        # and it is locked before the payment's, as every other writer of
        # an order's payments does (a refund writing its parts, a
        # cancellation closing its tenders): the other way round, a late
        # event during a refund deadlocked.
        order, payment = _lock_by_session(provider_name, session.id)
        if order is None:
            return None, "no payment of ours"
        # The order as locked, kept up to date below: callers read it from
        # the payment without a statement.
        payment.order = order
        if session.status == payments.PAID:
            return payment, _paid(order, payment, session, actor)
        if session.status == payments.EXPIRED:
            return payment, _expired(order, payment, actor)
        return payment, "still open"


def _lock_by_session(
    provider_name: str, session_id: str
) -> tuple[Order | None, Payment | None]:
    """Lock the order that has the payment of ``session_id``, then that
    payment: ``(None, None)`` if no payment of ours has it. One payment at
    most per provider and session (a unique constraint), so one order.

    Plain SQL through ``core.rows``, the one hot statement pair of every
    settlement (a webhook's and the return page's that comes first): the
    ORM built the same join and lock each time for about 0.2 ms of CPU a
    statement, twice what reading the wide order row costs. The rows are
    the models' own (``rows.columns``), the locks those the ORM took:
    ``FOR UPDATE OF`` the order alone, then ``FOR UPDATE`` the payment.
    """
    orders, payments_table = Order._meta.db_table, Payment._meta.db_table
    writes = router.db_for_write(Order)
    lock_order, lock = _row_locks(writes, orders)
    found = rows.fetch(
        Order,
        f"SELECT {rows.columns(Order, orders)} FROM {orders} "  # noqa: S608 (our tables)
        f"JOIN {payments_table} ON {payments_table}.order_id = {orders}.id "
        f"WHERE {payments_table}.provider = %s "
        f"AND {payments_table}.session_id = %s{lock_order}",
        [provider_name, session_id],
        using=writes,
    )
    if not found:
        return None, None
    (order,) = found
    (payment,) = rows.fetch(
        Payment,
        f"SELECT {rows.columns(Payment)} FROM {payments_table} "  # noqa: S608 (our table)
        f"WHERE order_id = %s AND provider = %s AND session_id = %s{lock}",
        [order.pk, provider_name, session_id],
        using=writes,
    )
    return order, payment


def _row_locks(alias: str, table: str) -> tuple[str, str]:
    """The clauses that lock the rows read, of ``table`` alone and of all,
    written by the backend as ``select_for_update`` has them written on
    database ``alias``: ``FOR UPDATE OF table`` and ``FOR UPDATE`` on
    PostgreSQL; none on run mode's SQLite, which has no row locks (its
    transactions take the whole database first: IMMEDIATE, in the settings)."""
    connection = connections[alias]
    if not connection.features.has_select_for_update:
        return "", ""
    lock = " " + connection.ops.for_update_sql()
    if not connection.features.has_select_for_update_of:
        return lock, lock
    return " " + connection.ops.for_update_sql(of=(table,)), lock


def _captured(pk: int, reference: str, card_last4: str, now: datetime.datetime):
    return (
        Payment.objects.filter(pk=pk),
        {
            "status": Payment.Status.CAPTURED,
            "reference": reference,
            "card_last4": card_last4,
            "settled_at": now,
        },
    )


def _placed(pk: int, now: datetime.datetime):
    changes = {"status": Order.Status.PLACED, "placed_at": now}
    return Order.objects.filter(pk=pk), changes


# Built once per process: every card payment settled writes them.
_CAPTURED = rows.Update(_captured)
_PLACED = rows.Update(_placed)


def _paid(
    order: Order, payment: Payment, session: payments.CheckoutSession, actor
) -> str:
    if payment.status in (Payment.Status.CAPTURED, Payment.Status.REFUNDED):
        return "already paid"
    was = payment.status
    payment.status = Payment.Status.CAPTURED
    # Unique when set: a payment without one (none can be, for a card paid
    # in full) stores nothing rather than an empty string.
    payment.reference = session.reference or None
    payment.card_last4 = session.card_last4
    payment.settled_at = timezone.now()
    # An update of the four fields, as save(update_fields=...) wrote them,
    # for a fraction of its CPU (no Payment signal has a receiver).
    _CAPTURED.run(
        pk=payment.pk,
        reference=payment.reference,
        card_last4=payment.card_last4,
        now=payment.settled_at,
    )
    if session.amount != payment.amount:
        logger.error(
            "Session %s paid %s, payment %s expected %s",
            session.id,
            session.amount,
            payment.pk,
            payment.amount,
        )
    if order.status == Order.Status.AWAITING_PAYMENT and was == Payment.Status.PENDING:
        _PLACED.run(pk=order.pk, now=payment.settled_at)
        order.status, order.placed_at = Order.Status.PLACED, payment.settled_at
        rows.insert([OrderEvent(order=order, actor=actor, kind=OrderEvent.Kind.PAID)])
        hooks.order_paid.send(sender=Order, order=order)
        from shop.services.checkout import confirm_soon

        transaction.on_commit(confirm_soon, robust=True)
        transaction.on_commit(metrics.ORDERS_PLACED.labels(payment="card").inc)
        return "placed the order"
    # Paid for an order no longer waiting for it: give it all back.
    from shop.tasks import refund_late_payment

    transaction.on_commit(
        lambda: refund_late_payment.delay(payment_id=payment.pk), robust=True
    )
    return "paid too late: refunding"


def _expired(order: Order, payment: Payment, actor) -> str:
    if payment.status != Payment.Status.PENDING:
        return "already settled"
    Payment.objects.filter(pk=payment.pk).update(
        status=Payment.Status.FAILED, settled_at=timezone.now()
    )
    if order.status != Order.Status.AWAITING_PAYMENT:
        return "payment closed"
    _cancel(order, actor=actor, why=_("The payment was not completed."))
    return "cancelled the order"


def _cancel(order: Order, *, actor: User | None, why: str) -> None:
    """Cancel an order awaiting payment, inside its transaction with its
    row locked: its stock and store credit go back, its pending payments
    close, and other apps are told (``hooks.order_cancelled``)."""
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    order.status = Order.Status.CANCELLED
    for line in order.lines.order_by("product_id"):
        release_stock(product_id=line.product_id, quantity=line.quantity)
    for credit in order.payments.filter(
        provider=Payment.STORE_CREDIT, status=Payment.Status.CAPTURED
    ):
        issue_store_credit(
            user=order.buyer,
            amount=credit.amount,
            reason=_("Order %(number)s was cancelled") % {"number": order.number},
            actor=actor,
            reference=f"cancel-order-{order.pk}",
            order=order,
        )
        Payment.objects.filter(pk=credit.pk).update(status=Payment.Status.CANCELLED)
    order.payments.filter(status=Payment.Status.PENDING).update(
        status=Payment.Status.FAILED, settled_at=timezone.now()
    )
    OrderEvent.objects.create(
        order=order, actor=actor, kind=OrderEvent.Kind.CANCELLED, message=why[:255]
    )
    hooks.order_cancelled.send(sender=Order, order=order)


def refund_late_payment(*, payment_id: int) -> None:
    """Give back all of a payment that arrived for an order that no longer
    waited for it. Idempotent: its refund key is the payment's."""
    payment = Payment.objects.select_related("order").get(pk=payment_id)
    if payment.status != Payment.Status.CAPTURED or payment.order.is_paid:
        return
    refund = payments.get_provider(payment.provider).refund(
        reference=payment.reference,
        amount=payment.amount,
        idempotency_key=f"{payment.idempotency_key}-late",
    )
    with transaction.atomic():
        # The order first, then its payment, as ``settle`` locks them.
        Order.objects.select_for_update().filter(pk=payment.order_id).first()
        updated = Payment.objects.filter(
            pk=payment.pk, status=Payment.Status.CAPTURED
        ).update(status=Payment.Status.REFUNDED)
        if updated:
            OrderEvent.objects.create(
                order=payment.order,
                kind=OrderEvent.Kind.LATE_PAYMENT_REFUNDED,
                message=f"{payment.amount} ({refund.reference})",
            )


def stale_orders() -> list[Order]:
    """Orders that have waited for their payment longer than allowed."""
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.SHOP_PAYMENT_MINUTES)
    return list(
        Order.objects.filter(
            status=Order.Status.AWAITING_PAYMENT, placed_at__lt=cutoff
        ).select_related("buyer")[:200]
    )


def settle_stale_payments() -> int:
    """Close the payments that took too long (a customer who left, a lost
    webhook): each is asked of the provider and placed if it was paid,
    cancelled otherwise. Returns how many orders were closed."""
    closed = 0
    for order in stale_orders():
        try:
            close_payment(order=order)
        except payments.ProviderUnavailable:
            logger.warning("Provider unavailable closing order %s", order.pk)
            continue
        closed += 1
    return closed
