"""Giving from a wish list, and what the recipient does with a gift."""

import dataclasses
import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.batches import DEFAULT_BATCH_SIZE, update_in_batches
from gifts import selectors
from gifts.exceptions import GiftError, ListHasNoAddress, OwnList, StillASurprise
from gifts.models import Gift, GiftLine, GiftReturn
from gifts.tasks import (
    send_gift_not_delivered,
    send_return_credited,
    send_thank_you_note,
)
from shop import services as shop_services
from shop.addresses import format_address
from shop.exceptions import CartChanged, EmptyCart
from shop.models import Address, Cart, CartLine, Order, User
from wishlist import services as wishlist_services
from wishlist.exceptions import AlreadyBought, ItemNoLongerOnList
from wishlist.models import WishList, WishListItem

logger = logging.getLogger(__name__)


def gift_cart_purpose(*, wishlist: WishList) -> str:
    """Each giver has one gift cart per list, apart from their own shopping."""
    return f"gift:{wishlist.pk}"


def _check_can_give(giver: User, wishlist: WishList) -> None:
    if not wishlist.is_visible_to(giver):
        raise WishList.DoesNotExist
    if wishlist.owner_id == giver.pk:
        raise OwnList()
    if wishlist.address_id is None:
        raise ListHasNoAddress()


def add_gift_to_cart(
    *, giver: User, item: WishListItem, quantity: int, submission_key: str = ""
) -> CartLine:
    """ "Buy as a gift": put a list item in the giver's gift cart for that list.

    Guarantees: one form submission (``submission_key``) adds once, as
    ``shop.services.add_to_cart`` does.
    """
    _check_can_give(giver, item.wishlist)
    cart = shop_services.create_cart(
        owner=giver, purpose=gift_cart_purpose(wishlist=item.wishlist)
    )
    return shop_services.add_to_cart(
        cart=cart,
        product_id=item.product_id,
        quantity=quantity,
        submission_key=submission_key,
    )


def _address_card(address: Address, *, with_name: bool, language: str) -> str:
    """The giver's address as written on an envelope, laid out for the
    recipient who will read it (``shop.addresses``): no phone number, and no
    name when the giver chose to stay "a friend"."""
    postal = dataclasses.replace(
        address.postal, name=address.recipient_name if with_name else ""
    )
    return "\n".join(format_address(postal, language))


def place_gift_order(
    *,
    giver: User,
    wishlist: WishList,
    cart: Cart,
    expected_total: int,
    message: str = "",
    shows_giver_name: bool = True,
    discloses_address: bool = False,
    use_store_credit: bool = False,
    allow_over_gift: bool = False,
) -> Gift:
    """Buy the gift cart for the list's owner, shipped to their hidden address.

    Guarantees:
    - The order ships through the shop's hidden-destination hook: the giver
      sees the recipient's display name and region, nothing more.
    - The gift, its lines and the list's purchase counts are written inside
      the order's own transaction; the counts move under a row lock, so two
      givers racing for the last wanted unit can't both take it unless the
      second confirmed (``allow_over_gift``). Either everything commits or
      nothing does. The order then awaits its payment like any other
      (``shop.services.payments``); if it is cancelled, the list's counts
      go back (``gifts.signals``).
    - The giver's address is copied onto the gift only when they chose to
      disclose it; their name only when they chose to show it.
    - Idempotent like checkout: placing the same cart again returns the gift.
    """
    _check_can_give(giver, wishlist)
    purpose = gift_cart_purpose(wishlist=wishlist)
    if cart.owner_id != giver.pk or cart.purpose != purpose:
        raise CartChanged()
    placed = Gift.objects.filter(order__cart=cart).first()
    if placed is not None:
        return placed

    items = {item.product_id: item for item in wishlist.items.select_related("product")}
    _cart, lines = shop_services.checkout_cart(
        cart_id=cart.pk, buyer=giver, purpose=cart.purpose
    )
    if not lines:
        raise EmptyCart()
    for line in lines:
        item = items.get(line.product_id)
        if item is None:
            raise ItemNoLongerOnList()
        if line.quantity > item.remaining and not allow_over_gift:
            raise AlreadyBought(
                product_name=item.product.display_name, remaining=item.remaining
            )
    giver_address = ""
    if discloses_address:
        address = giver.addresses.filter(is_default=True).first()
        if address is None:
            raise GiftError(
                _("Add an address to your address book to share it with them.")
            )
        giver_address = _address_card(
            address,
            with_name=shows_giver_name,
            language=wishlist.owner.language or settings.LANGUAGE_CODE,
        )

    def write_gift(order: Order) -> None:
        gift = Gift.objects.create(
            order=order,
            wishlist=wishlist,
            giver=giver,
            recipient_id=wishlist.owner_id,
            message=message.strip(),
            shows_giver_name=shows_giver_name,
            discloses_address=discloses_address,
            # The name itself, or nothing: the words for someone with no name
            # are the reader's language's (``Gift.sender_in_sentence``).
            giver_name=giver.display_name if shows_giver_name else "",
            giver_address=giver_address,
        )
        for order_line in order.lines.all():
            item = items[order_line.product_id]
            wishlist_services.record_purchase(
                item_id=item.pk,
                quantity=order_line.quantity,
                allow_over_gift=allow_over_gift,
                paid=order.is_paid,
            )
            GiftLine.objects.create(
                gift=gift, order_line=order_line, wishlist_item=item
            )

    order = shop_services.place_order(
        cart=cart,
        buyer=giver,
        destination=shop_services.Destination(
            address=wishlist.address,
            hidden_from_buyer=True,
            display_name=wishlist.owner.public_name,
        ),
        expected_total=expected_total,
        use_store_credit=use_store_credit,
        within=write_gift,
        lines=lines,
    )
    return Gift.objects.get(order=order)


@transaction.atomic
def send_thank_you(*, gift: Gift, recipient: User, note: str) -> Gift:
    """Relay a thank-you note to the giver through the site.

    Neither side learns the other's address; the giver learns who thanked
    them (they chose the list), never where they live. One note per gift,
    and none while the gift is still a surprise (``StillASurprise``).

    Guarantees: the gift row is locked, so one note is kept and one email
    leaves, however often it is sent; the same note sent again (a double
    click) returns the gift as it is, a different one is refused.
    """
    gift = Gift.objects.select_for_update().get(pk=gift.pk)
    if gift.recipient_id != recipient.pk:
        raise Gift.DoesNotExist
    if selectors.is_surprise_for(gift=gift, viewer=recipient):
        raise StillASurprise()
    note = note.strip()
    if gift.thanked_at is not None:
        if note == gift.thank_you_note:
            return gift
        raise GiftError(_("You have already sent a thank-you note for this gift."))
    if not note:
        raise GiftError(_("Write a few words to send."))
    gift.thank_you_note = note
    gift.thanked_at = timezone.now()
    gift.save(update_fields=["thank_you_note", "thanked_at"])
    transaction.on_commit(lambda: send_thank_you_note.delay(gift_id=gift.pk))
    return gift


@transaction.atomic
def request_return(
    *,
    gift_line: GiftLine,
    recipient: User,
    kind: str,
    quantity: int,
    reason: str,
    submission_key: str | None = None,
) -> GiftReturn:
    """The recipient sends a delivered gift back; the giver is not told.
    Refused while the gift is still a surprise (``StillASurprise``).

    Guarantees: one form submission (``submission_key``) makes one return.
    The gift row is locked, so the twin of a double click waits for the
    first and returns its return (a unique constraint on the line and the
    key holds it too) instead of being refused for want of units.
    """
    gift = Gift.objects.select_for_update().get(pk=gift_line.gift_id)
    if gift.recipient_id != recipient.pk:
        raise GiftLine.DoesNotExist
    if selectors.is_surprise_for(gift=gift, viewer=recipient):
        raise StillASurprise()
    found = GiftReturn.objects.filter(
        gift_line=gift_line, submission_key=submission_key
    )
    if submission_key and found.exists():
        return found.get()
    available = selectors.returnable_quantity(gift_line=gift_line)
    if available == 0:
        window_past = selectors.delivered_before(
            timezone.now() - selectors.return_window()
        ).filter(pk=gift.pk)
        if window_past.exists():
            raise GiftError(
                _(
                    "Returns close %(days)d days after delivery, and that time "
                    "has passed."
                )
                % {"days": settings.GIFT_RETURN_DAYS}
            )
        raise GiftError(_("There is nothing left to return for this item yet."))
    if not 1 <= quantity <= available:
        raise GiftError(
            _("You can return between 1 and %(count)d of this item.")
            % {"count": available}
        )
    return GiftReturn.objects.create(
        gift_line=gift_line,
        kind=kind,
        quantity=quantity,
        reason=reason.strip(),
        submission_key=submission_key or None,
    )


@transaction.atomic
def receive_return(*, gift_return: GiftReturn, actor: User) -> GiftReturn:
    """Staff received the parcel: credit the **recipient's** store credit.

    Crediting twice is impossible: the credit's reference is the return.
    """
    gift_return = (
        GiftReturn.objects.select_for_update()
        .select_related("gift_line__gift", "gift_line__order_line")
        .get(pk=gift_return.pk)
    )
    if gift_return.status == GiftReturn.Status.CREDITED:
        return gift_return
    line = gift_return.gift_line.order_line
    gift_return.credit = shop_services.issue_store_credit(
        user=gift_return.gift_line.gift.recipient,
        amount=gift_return.amount,
        reason=_("Returned gift: %(count)d × %(item)s")
        % {"count": gift_return.quantity, "item": line.name},
        actor=actor,
        reference=f"gift-return-{gift_return.pk}",
    )
    gift_return.status = GiftReturn.Status.CREDITED
    gift_return.credited_at = timezone.now()
    gift_return.save(update_fields=["credit", "status", "credited_at"])
    transaction.on_commit(lambda: send_return_credited.delay(return_id=gift_return.pk))
    return gift_return


# Closing an account


def cancel_gifts_in_transit(*, recipient: User, actor: User | None) -> list[Gift]:
    """Gifts bought for a customer who closes their account and not yet
    packed are cancelled and given back to their givers, who are told only
    that the gift can't be delivered, never why. Gifts being packed or on
    their way are left to arrive (their address is erased once delivered).

    Idempotent: an order already cancelled is skipped by the shop, its
    refunds keyed by order and line, and each giver is emailed once (by the
    call that cancelled the order).
    """
    cancelled = []
    gifts = Gift.objects.filter(
        recipient=recipient,
        order__status__in=[Order.Status.PLACED, Order.Status.CANCELLED],
    ).select_related("order", "giver")
    for gift in gifts:
        with override(gift.giver.language or settings.LANGUAGE_CODE):
            reason = _("This gift can't be delivered. It has been refunded in full.")
        _order, cancelled_now = shop_services.cancel_unshipped_order(
            order=gift.order, actor=actor, reason=reason
        )
        if cancelled_now:
            cancelled.append(gift)
            transaction.on_commit(
                partial(send_gift_not_delivered.delay, gift_id=gift.pk),
                robust=True,
            )
    return cancelled


@transaction.atomic
def erase_gift_words(*, user: User) -> None:
    """What a closing customer wrote on gifts, and what identifies them on
    gifts between them and others: the messages and name and address they
    gave as a giver; the thank-you notes they wrote and the messages
    written to them as a recipient; and their name on the orders of gifts
    sent to them (the givers' order pages). The address of a gift to them
    stays until it has arrived (fulfilment needs it), then goes with the
    rest. Idempotent."""
    Gift.objects.filter(giver=user).exclude(
        message="", giver_name="", giver_address=""
    ).update(message="", giver_name="", giver_address="")
    Gift.objects.filter(recipient=user).exclude(message="", thank_you_note="").update(
        message="", thank_you_note=""
    )
    received = Order.objects.filter(gift__recipient=user)
    shop_services.erase_destination(
        orders=received.filter(
            status__in=[Order.Status.DELIVERED, Order.Status.CANCELLED]
        )
    )
    shop_services.erase_destination(orders=received, keep_address=True)


# --- Retention: what a gift keeps of each side, and for how long -----------


def forget_recipient_addresses(
    *, now: datetime.datetime, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Remove the recipient's address from each gift order delivered more
    than the return window ago (``GIFT_RETURN_DAYS``): once nothing can
    come back, the shop needs it no longer. The order keeps the country and
    region; no parcel can go to it after (``shop.services.forget_destinations``).

    Guarantees: counted from the last parcel's delivery, replacements too,
    so an order with a parcel still on its way keeps its address; one
    ``UPDATE`` per batch; a second run changes nothing. Returns how many
    orders lost their address.
    """
    gifts = selectors.delivered_before(now - selectors.return_window())
    return shop_services.forget_destinations(
        orders=Order.objects.filter(pk__in=gifts.values("order_id")),
        now=now,
        batch_size=batch_size,
    )


def forget_giver_addresses(
    *, now: datetime.datetime, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Remove the address a giver shared for a thank-you card from each
    gift delivered more than the thank-you window ago
    (``GIFT_THANK_YOU_DAYS``); the recipient then sees none. The giver's
    choice (``discloses_address``) stays, as the record of what they agreed.

    Guarantees: one ``UPDATE`` per batch; a gift already cleared is skipped,
    so a second run changes nothing. Returns how many gifts changed.
    """
    gifts = selectors.delivered_before(now - selectors.thank_you_window()).exclude(
        giver_address=""
    )
    forgotten = update_in_batches(
        gifts, batch_size=batch_size, giver_address="", giver_address_forgotten_at=now
    )
    if forgotten:
        logger.info("Forgot the shared address of %s giver(s)", forgotten)
    return forgotten
