"""Closing an account: what it will do for this customer (``outcomes``),
and the steps that do it (``run_closure``).

Each app erases its own part through its own services; this module only
puts them in order and records each step on the ``DataRequest`` as it is
done, so a closure cut short by a crash (or a payment provider, or a call
that was ringing) resumes where it stopped, and running it twice does it
once. The outcomes, in the order the steps run:

- orders awaiting payment are cancelled (the shop's own path: stock and
  any store credit they held go back);
- an order paid for and not yet (all) shipped refuses the closure until it
  has shipped or been cancelled: it would ship to an address we erase;
- the account is signed out everywhere and can no longer sign in;
- gifts bought for the customer and not yet packed are cancelled and
  refunded in full to their givers, who are told only that the gift can't
  be delivered; gifts being packed or on their way arrive as usual;
- open cases are closed with a last entry for staff; a booked call is
  cancelled; what the customer wrote on cases, and the numbers they were
  called on, are erased;
- wish lists: deleted, or, where gifts were bought from them, emptied,
  made private and given a new link (the old one is a 404);
- gift messages, thank-you notes, and the customer's name and address on
  gifts between them and others are erased;
- orders are kept for the books (``SHOP_BOOKKEEPING_YEARS``), with their
  amounts, dates, items, payments and refunds, the country and prefecture,
  and the buyer's (anonymous) account; their email, name, street, postal
  code and phone are erased;
- the address book is deleted;
- store credit left is forfeited (the customer is warned of the amount);
- the account keeps its row, as "closed-<id>@closed.invalid": no name,
  phone, password, sign-in email or second factor.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gifts import services as gift_services
from privacy.models import DataRequest
from shop import services as shop_services
from shop.models import Order, User
from shop.services import closure as shop_closure
from support import selectors as support_selectors
from support import services as support_services
from wishlist import services as wishlist_services
from wishlist.selectors import lists_for_owner

logger = logging.getLogger(__name__)


class ClosureRefused(Exception):
    """The account cannot be closed yet; ``message`` says why, to its owner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Outcomes:
    """What closing the account would do now, for the confirmation page."""

    orders_to_ship: list[Order]
    orders_to_cancel: list[Order]
    open_cases: list = field(default_factory=list)
    booked_calls: int = 0
    store_credit: int = 0
    wishlists: int = 0

    @property
    def refused(self) -> bool:
        return bool(self.orders_to_ship)


def outcomes(*, user: User) -> Outcomes:
    """What closing ``user``'s account would do, read now. Gifts on their
    way to them are not counted: a surprise stays one."""
    cases = support_selectors.open_cases_and_calls(customer=user)
    return Outcomes(
        orders_to_ship=list(shop_closure.unshipped_orders(user)),
        orders_to_cancel=list(shop_closure.unpaid_orders(user)),
        open_cases=[case for case, _call in cases],
        booked_calls=sum(1 for _case, call in cases if call is not None),
        store_credit=shop_closure.store_credit_balance(user),
        wishlists=lists_for_owner(owner=user).count(),
    )


def refusal(user: User) -> str | None:
    """Why ``user``'s account cannot be closed now, or None."""
    waiting = list(shop_closure.unshipped_orders(user))
    if not waiting:
        return None
    numbers = ", ".join(order.number for order in waiting)
    return ngettext(
        "Order %(numbers)s has not shipped yet. Your account can be closed "
        "once it has shipped, or once it has been cancelled.",
        "Orders %(numbers)s have not shipped yet. Your account can be closed "
        "once they have shipped, or once they have been cancelled.",
        len(waiting),
    ) % {"numbers": numbers}


def _check_nothing_to_ship(request: DataRequest, actor: User) -> None:
    why = refusal(request.user)
    if why is not None:
        raise ClosureRefused(why)


# The steps, in order: (name recorded on the request, what it does). Each is
# idempotent on its own. Nothing is erased before the refusal check, and
# the sign-in ends before anything is erased, so a customer never sees a
# half-emptied account.
STEPS: list[tuple[str, Callable[[DataRequest, User], object]]] = [
    (
        "cancel_unpaid_orders",
        lambda r, actor: shop_services.cancel_unpaid_orders(user=r.user, actor=actor),
    ),
    ("check_nothing_to_ship", _check_nothing_to_ship),
    ("end_sign_in", lambda r, actor: shop_services.end_sign_in(user=r.user)),
    (
        "cancel_gifts_in_transit",
        lambda r, actor: gift_services.cancel_gifts_in_transit(
            recipient=r.user, actor=actor
        ),
    ),
    (
        "close_cases",
        lambda r, actor: support_services.close_cases_of_closed_account(
            customer=r.user, actor=actor
        ),
    ),
    (
        "erase_case_words",
        lambda r, actor: support_services.erase_customer_words(customer=r.user),
    ),
    ("close_wishlists", lambda r, actor: wishlist_services.close_lists(owner=r.user)),
    ("erase_gift_words", lambda r, actor: gift_services.erase_gift_words(user=r.user)),
    ("anonymise_orders", lambda r, actor: shop_services.anonymise_orders(user=r.user)),
    ("delete_addresses", lambda r, actor: shop_services.delete_addresses(user=r.user)),
    (
        "forfeit_store_credit",
        lambda r, actor: shop_services.forfeit_store_credit(user=r.user, actor=actor),
    ),
    ("anonymise_user", lambda r, actor: shop_services.anonymise_user(user=r.user)),
]
STEP_NAMES = [name for name, _step in STEPS]


def _next_step(request_id: int) -> tuple[DataRequest, str | None]:
    request = DataRequest.objects.select_related("user", "requested_by").get(
        pk=request_id
    )
    if request.status != DataRequest.Status.PENDING:
        return request, None
    for name in STEP_NAMES:
        if name not in request.steps_done:
            return request, name
    return request, None


@transaction.atomic
def _record(request_id: int, *, step: str | None = None, **fields) -> DataRequest:
    request = DataRequest.objects.select_for_update().get(pk=request_id)
    if request.status != DataRequest.Status.PENDING:
        return request
    if step is not None and step not in request.steps_done:
        request.steps_done = [*request.steps_done, step]
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["steps_done", *fields])
    return request


def run_closure(*, request_id: int) -> DataRequest:
    """Carry out a pending closure from its first step not done; returns
    the request as it ends (``done``, or ``failed`` if refused).

    Guarantees:
    - Each step is recorded as done once it has committed; a step a crash
      interrupted runs again, and every step is idempotent, so the closure
      finishes as if it had never stopped. Two runs at once (a double click
      and the sweep) may run a step twice at the same moment: each step
      locks what it changes, so it is still done once.
    - Refused (``ClosureRefused``: an order still to ship) before anything
      is erased or the sign-in ended: the request is ``failed`` with the
      reason, and the customer may ask again later.
    - Any other error (the payment provider down, a call already ringing)
      leaves the request pending at that step and is raised; the sweep
      (``privacy.tasks.finish_pending_closures``) resumes it there.
    """
    request, step = _next_step(request_id)
    while step is not None:
        try:
            dict(STEPS)[step](request, request.requested_by)
        except ClosureRefused as refused:
            return _record(
                request_id,
                status=DataRequest.Status.FAILED,
                result=refused.message,
                finished_at=timezone.now(),
            )
        _record(request_id, step=step)
        request, step = _next_step(request_id)
    if request.status == DataRequest.Status.PENDING:
        request = _record(
            request_id,
            status=DataRequest.Status.DONE,
            result=_("Account closed."),
            finished_at=timezone.now(),
        )
        logger.info(
            "Closed the account of user %s (request %s)", request.user_id, request.pk
        )
    return request


def pending_closures() -> list[int]:
    """Closures left pending (a crash, a provider down): the sweep runs
    them again."""
    return list(
        DataRequest.objects.filter(
            kind=DataRequest.Kind.CLOSURE, status=DataRequest.Status.PENDING
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
