"""Store credit: issuing it, and spending it at checkout."""

from django.db import transaction
from django.db.models import F

from shop.exceptions import StoreCreditChanged
from shop.models import Order, StoreCreditAccount, StoreCreditEntry, User


def _locked_account(user: User) -> StoreCreditAccount:
    StoreCreditAccount.objects.get_or_create(user=user)
    return StoreCreditAccount.objects.select_for_update().get(user=user)


@transaction.atomic
def issue_store_credit(
    *,
    user: User,
    amount: int,
    reason: str,
    actor: User | None,
    reference: str | None = None,
    order: Order | None = None,
) -> StoreCreditEntry:
    """Add credit to a customer's balance and the ledger.

    ``reference`` (a return, a refund) makes it idempotent: issuing again
    with the same reference returns the first entry and adds nothing.
    """
    if amount <= 0:
        raise ValueError("Store credit is issued in positive amounts.")
    account = _locked_account(user)
    if reference is not None:
        existing = StoreCreditEntry.objects.filter(reference=reference).first()
        if existing is not None:
            return existing
    StoreCreditAccount.objects.filter(pk=account.pk).update(
        balance=F("balance") + amount
    )
    return StoreCreditEntry.objects.create(
        account=account,
        kind=StoreCreditEntry.Kind.ISSUED,
        amount=amount,
        reason=reason,
        reference=reference,
        actor=actor,
        order=order,
    )


def spend_store_credit(*, user: User, amount: int, order: Order) -> StoreCreditEntry:
    """Take credit for an order; runs inside checkout's transaction.

    Raises ``StoreCreditChanged`` if the balance no longer covers it.
    """
    account = _locked_account(user)
    if account.balance < amount:
        raise StoreCreditChanged()
    StoreCreditAccount.objects.filter(pk=account.pk).update(
        balance=F("balance") - amount
    )
    return StoreCreditEntry.objects.create(
        account=account,
        kind=StoreCreditEntry.Kind.SPENT,
        amount=-amount,
        reason=f"Order {order.number}",
        order=order,
        actor=user,
    )
