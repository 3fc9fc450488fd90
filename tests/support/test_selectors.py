"""The rules support's selectors decide once for every page and service:
when a case is overdue, and who may report what about an order line."""

import datetime

import pytest

from support import selectors, services
from support.exceptions import NotYourLine, SupportError
from support.models import Case
from tests.gifts.factories import give
from tests.shop.factories import ProductFactory, UserFactory, deliver, placed_order
from tests.support.factories import file_question
from tests.wishlist.factories import WishListItemFactory

pytestmark = pytest.mark.django_db

P = Case.Problem
TICK = datetime.timedelta(microseconds=1)


def open_case() -> Case:
    return file_question(placed_order().lines.get(), "Does the lid come off?")


def overdue_both_ways(case: Case, now: datetime.datetime) -> tuple[bool, bool]:
    """The rule asked of the database and of the case in hand."""
    in_database = selectors.overdue(Case.objects.filter(pk=case.pk), now=now).exists()
    return in_database, selectors.is_overdue(case, now=now)


# --- Overdue ------------------------------------------------------------------


def test_a_case_is_overdue_only_once_its_due_time_has_passed():
    case = open_case()
    due = case.first_response_due_at
    assert overdue_both_ways(case, due - TICK) == (False, False)
    assert overdue_both_ways(case, due) == (False, False)  # due now: not yet late
    assert overdue_both_ways(case, due + TICK) == (True, True)


@pytest.mark.parametrize("status", Case.Status.values)
def test_only_an_open_case_is_overdue(status):
    case = open_case()
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    late = case.first_response_due_at + TICK
    expected = status in Case.OPEN_STATUSES
    assert overdue_both_ways(case, late) == (expected, expected)


def test_a_case_answered_once_is_no_longer_overdue():
    case = open_case()
    late = case.first_response_due_at + datetime.timedelta(hours=1)
    assert overdue_both_ways(case, late) == (True, True)
    services.reply(case=case, actor=UserFactory(is_staff=True), body="On it.")
    case.refresh_from_db()
    assert case.is_open
    assert overdue_both_ways(case, late) == (False, False)


# --- Who may report what --------------------------------------------------------


def test_the_buyer_may_report_anything_about_their_own_line():
    order = placed_order()
    rule = selectors.may_file(customer=order.buyer, order_line=order.lines.get())
    assert rule == selectors.MayFile(problems=tuple(P), is_gift=False)


def test_the_recipient_reports_anything_and_the_giver_only_asks_where_it_is():
    gift = give(WishListItemFactory(product=ProductFactory(stock_on_hand=5)))
    deliver(gift.order)
    line = gift.order.lines.get()

    owner = selectors.may_file(customer=gift.recipient, order_line=line)
    giver = selectors.may_file(customer=gift.giver, order_line=line)

    assert owner == selectors.MayFile(problems=tuple(P), is_gift=True)
    assert giver == selectors.MayFile(
        problems=(P.NOT_DELIVERED,), is_gift=True, as_giver=True
    )
    # The service enforces the very same rule.
    assert services.check_may_file(
        customer=gift.giver, order_line=line, problem=P.NOT_DELIVERED
    )
    with pytest.raises(SupportError, match="only they can report"):
        services.check_may_file(customer=gift.giver, order_line=line, problem=P.DAMAGED)


def test_nobody_else_reports_and_a_surprise_is_not_yet_the_recipients():
    stranger_order = placed_order()
    gift = give(WishListItemFactory(product=ProductFactory(stock_on_hand=5)))
    line = gift.order.lines.get()

    for customer, order_line in [
        (UserFactory(), stranger_order.lines.get()),
        (gift.recipient, line),  # not delivered, list not revealed
    ]:
        assert not selectors.may_file(customer=customer, order_line=order_line).problems
        with pytest.raises(NotYourLine):
            services.check_may_file(
                customer=customer, order_line=order_line, problem=P.OTHER
            )


def test_get_help_offers_what_may_file_allows():
    gift = give(WishListItemFactory(product=ProductFactory(stock_on_hand=5)))
    deliver(gift.order)

    def choices(customer):
        order = selectors.order_for_help(customer=customer, pk=gift.order_id)
        return selectors.help_choices(customer=customer, order=order)

    as_recipient, as_giver = choices(gift.recipient), choices(gift.giver)
    assert (as_recipient.problems, as_recipient.is_giver) == (list(P), False)
    assert (as_giver.problems, as_giver.is_giver) == ([P.NOT_DELIVERED], True)
    assert as_recipient.lines == as_giver.lines == list(gift.order.lines.all())


def test_get_help_on_one_parcel_offers_the_items_in_it():
    order = placed_order(None, (ProductFactory(), 1), (ProductFactory(), 1))
    first, second = order.lines.order_by("pk")
    parcel = deliver(order)
    parcel.lines.filter(order_line=second).delete()
    loaded = selectors.order_for_help(customer=order.buyer, pk=order.pk)

    def lines(shipment):
        return selectors.help_choices(
            customer=order.buyer, order=loaded, shipment=shipment
        ).lines

    assert lines(parcel.pk) == [first]
    assert lines(None) == [first, second]
    assert lines(parcel.pk + 1000) == [first, second]  # not this order's parcel
