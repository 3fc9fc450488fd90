"""Changing wish lists. The purchase counts move only through
``record_purchase``, under a row lock, inside the gift order's transaction."""

import datetime
import enum

from django.db import transaction
from django.db.models import F, Max, ProtectedError
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from core import pagecache, submissions
from shop.exceptions import ProductUnavailable
from shop.models import Address, Product, User
from wishlist.exceptions import AlreadyBought, ItemNoLongerOnList, WishlistError
from wishlist.models import WishList, WishListItem, new_share_token


def list_changed(*tokens: str) -> None:
    """The cached pages of these lists (by share token) are stale once the
    transaction commits; ``save()`` and ``delete()`` say so by themselves
    (``wishlist.signals``), a bulk ``update()`` must."""
    pagecache.changed(*(f"wishlist:{token}" for token in tokens))


def _check_address(owner: User, address: Address | None) -> None:
    if address is not None and address.user_id != owner.pk:
        raise WishlistError(_("Choose one of your own addresses."))


def create_wishlist(
    *,
    owner: User,
    title: str,
    description: str = "",
    occasion: str = WishList.Occasion.OTHER,
    occasion_date: datetime.date | None = None,
    address: Address | None = None,
    visibility: str = WishList.Visibility.UNLISTED,
    surprise_protection: bool = True,
    submission_key: str | None = None,
) -> WishList:
    """A new list owned by ``owner``; its address must be one of theirs.

    Guarantees: one form submission (``submission_key``) makes one list; its
    twin returns the first one's (a unique constraint on owner and key).
    """
    _check_address(owner, address)
    wishlist = WishList(
        owner=owner,
        submission_key=submission_key or None,
        title=title,
        description=description,
        occasion=occasion,
        occasion_date=occasion_date,
        address=address,
        visibility=visibility,
        surprise_protection=surprise_protection,
    )
    wishlist.full_clean(exclude=["owner", "submission_key"])
    if not submission_key:
        wishlist.save()
        return wishlist
    found = WishList.objects.filter(owner=owner, submission_key=submission_key)
    return submissions.create_once(found, lambda: _saved(wishlist))[0]


def _saved(wishlist: WishList) -> WishList:
    wishlist.save()
    return wishlist


class _Keep(enum.Enum):
    KEEP = "keep"


# What update_wishlist leaves as it is: None is a value there (no date, no
# address), so "not given" needs a marker of its own.
KEEP = _Keep.KEEP


def update_wishlist(
    *,
    wishlist: WishList,
    actor: User,
    title: str | _Keep = KEEP,
    description: str | _Keep = KEEP,
    occasion: str | _Keep = KEEP,
    occasion_date: datetime.date | _Keep | None = KEEP,
    address: Address | _Keep | None = KEEP,
    visibility: str | _Keep = KEEP,
    surprise_protection: bool | _Keep = KEEP,
) -> WishList:
    """Change the owner's list: the fields given, the others kept. A list
    whose gifts are already revealed stays revealed, whatever its new
    surprise settings say."""
    if wishlist.owner_id != actor.pk:
        raise WishList.DoesNotExist
    fields = {
        "title": title,
        "description": description,
        "occasion": occasion,
        "occasion_date": occasion_date,
        "address": address,
        "visibility": visibility,
        "surprise_protection": surprise_protection,
    }
    changes = {name: value for name, value in fields.items() if value is not KEEP}
    _check_address(actor, changes.get("address"))
    if (
        wishlist.revealed_at is None
        and wishlist.is_revealed
        and wishlist.items.filter(purchased_quantity__gt=0).exists()
    ):
        # What was bought has been seen, by the owner and by its recipients
        # on their gift and support pages: turning surprise protection back
        # on, or moving the date later, can't make it a surprise again.
        wishlist.revealed_at = timezone.now()
    for name, value in changes.items():
        setattr(wishlist, name, value)
    wishlist.full_clean()
    wishlist.save()
    return wishlist


@transaction.atomic
def delete_wishlist(*, wishlist: WishList, actor: User) -> None:
    """Delete a list no gift was bought from.

    Guarantees: deleting twice deletes once; the owner's twin that finds the
    list gone is recognised for an hour (``submissions.deleted_by``).
    """
    if wishlist.owner_id != actor.pk:
        raise WishList.DoesNotExist
    pk = wishlist.pk
    try:
        with transaction.atomic():
            wishlist.delete()
        submissions.remember_deleted(actor_id=actor.pk, model=WishList, pk=pk)
    except ProtectedError:
        raise WishlistError(
            _("Gifts have been bought from this list; make it private instead.")
        ) from None


def reveal_wishlist(*, wishlist: WishList, actor: User) -> WishList:
    """Show the owner what has been bought, now, before the date."""
    if wishlist.owner_id != actor.pk:
        raise WishList.DoesNotExist
    if wishlist.revealed_at is None:
        wishlist.revealed_at = timezone.now()
        wishlist.save(update_fields=["revealed_at", "updated_at"])
    return wishlist


@transaction.atomic
def add_item(
    *,
    wishlist: WishList,
    product: Product,
    actor: User,
    quantity: int = 1,
    priority: int = WishListItem.Priority.NORMAL,
    note: str = "",
    submission_key: str = "",
) -> WishListItem:
    """Put a product on the list, or want more of one already on it.

    Guarantees: one form submission (``submission_key``) adds once. The item
    keeps the key of the submission that last added to it, read under the
    list's row lock: a double click's twin waits, finds the key, and returns
    the item as the first one left it.
    """
    if wishlist.owner_id != actor.pk:
        raise WishList.DoesNotExist
    if not product.is_active:
        raise ProductUnavailable()
    if quantity < 1:
        raise WishlistError(_("Choose a quantity of at least 1."))
    # Lock the list so two tabs adding at once get distinct positions.
    WishList.objects.select_for_update().get(pk=wishlist.pk)
    item = WishListItem.objects.filter(wishlist=wishlist, product=product).first()
    if item is not None:
        if submission_key and item.submission_key == submission_key:
            return item
        item.desired_quantity += quantity
        item.priority = priority
        item.note = note or item.note
        item.submission_key = submission_key
        item.save(
            update_fields=["desired_quantity", "priority", "note", "submission_key"]
        )
        return item
    last = wishlist.items.aggregate(last=Max("position"))["last"]
    return WishListItem.objects.create(
        wishlist=wishlist,
        product=product,
        desired_quantity=quantity,
        priority=priority,
        note=note,
        position=0 if last is None else last + 1,
        submission_key=submission_key,
    )


def update_item(
    *, item: WishListItem, actor: User, desired_quantity: int, priority: int, note: str
) -> WishListItem:
    if item.wishlist.owner_id != actor.pk:
        raise WishListItem.DoesNotExist
    if desired_quantity < 1:
        raise WishlistError(_("Choose a quantity of at least 1."))
    item.desired_quantity = desired_quantity
    item.priority = priority
    item.note = note
    item.save(update_fields=["desired_quantity", "priority", "note"])
    return item


@transaction.atomic
def move_item(
    *, item: WishListItem, actor: User, up: bool, seen_at: int | None = None
) -> None:
    """Swap the item with its neighbour above (or below).

    Guarantees: ``seen_at`` is the place (from 0) the owner saw the item at;
    it moves only from there, under the lock of the list's items, so a
    double click moves it one place, not two.
    """
    if item.wishlist.owner_id != actor.pk:
        raise WishListItem.DoesNotExist
    items = list(
        WishListItem.objects.select_for_update()
        .filter(wishlist_id=item.wishlist_id)
        .order_by("pk")
    )
    # Sorted here, not by the query: under READ COMMITTED, rows locked after
    # waiting for a concurrent move come back with their new positions but
    # in the order of the old ones.
    items.sort(key=lambda other: (other.position, other.pk))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    if seen_at is not None and index != seen_at:
        return
    neighbour = index - 1 if up else index + 1
    if not 0 <= neighbour < len(items):
        return
    items[index], items[neighbour] = items[neighbour], items[index]
    for position, other in enumerate(items):
        if other.position != position:
            WishListItem.objects.filter(pk=other.pk).update(position=position)
    list_changed(item.wishlist.share_token)


@transaction.atomic
def remove_item(*, item: WishListItem, actor: User) -> None:
    """Take an item off the list; gifts already bought for it stay gifts.

    Guarantees: removing twice removes once; the owner's twin that finds the
    item gone is recognised for an hour, with its list
    (``submissions.deleted_by``).
    """
    if item.wishlist.owner_id != actor.pk:
        raise WishListItem.DoesNotExist
    submissions.remember_deleted(
        actor_id=actor.pk, model=WishListItem, pk=item.pk, parent_id=item.wishlist_id
    )
    item.delete()


def record_purchase(
    *, item_id: int, quantity: int, allow_over_gift: bool, paid: bool = False
) -> WishListItem:
    """Count ``quantity`` units for a gift order: bought if it is ``paid``
    already (store credit paid it all), else held until it is. Runs inside
    the order's transaction, so the count commits with the order or not at
    all. Givers see held units as taken; the owner sees them once paid
    (``confirm_purchase``), or never if the order is cancelled
    (``release_purchase``).

    The item row is locked, so two givers racing for the last wanted unit
    are serialised: the second gets ``AlreadyBought`` unless they confirmed
    (``allow_over_gift``) that they want to give it anyway.
    """
    item = (
        WishListItem.objects.select_for_update(of=("self",))
        .select_related("product", "wishlist")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise ItemNoLongerOnList()
    if quantity > item.remaining and not allow_over_gift:
        raise AlreadyBought(
            product_name=item.product.display_name, remaining=item.remaining
        )
    counter = "purchased_quantity" if paid else "held_quantity"
    WishListItem.objects.filter(pk=item.pk).update(**{counter: F(counter) + quantity})
    list_changed(item.wishlist.share_token)
    item.refresh_from_db(fields=[counter])
    return item


def confirm_purchase(*, item_id: int, quantity: int) -> None:
    """The gift order holding ``quantity`` units was paid: they are bought.
    Runs inside the payment's transaction."""
    _move_held(item_id, quantity, bought=True)


def release_purchase(*, item_id: int, quantity: int) -> None:
    """The gift order holding ``quantity`` units was cancelled unpaid: they
    are wanted again. Runs inside the cancellation's transaction."""
    _move_held(item_id, quantity, bought=False)


def _move_held(item_id: int, quantity: int, *, bought: bool) -> None:
    item = (
        WishListItem.objects.select_for_update(of=("self",))
        .select_related("wishlist")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        return
    changes = {"held_quantity": Greatest(F("held_quantity") - quantity, 0)}
    if bought:
        changes["purchased_quantity"] = F("purchased_quantity") + quantity
    WishListItem.objects.filter(pk=item.pk).update(**changes)
    list_changed(item.wishlist.share_token)


# Closing an account


# What a closed account's list that gifts were bought from is called, on
# the pages of the orders that still point at it (its own title named the
# owner): a dash in every language.
CLOSED_LIST_TITLE = "—"


def close_lists(*, owner: User) -> None:
    """The lists of a customer closing their account stop working: each one
    no gift was bought from is deleted; each one gifts were bought from
    (their orders keep it) is emptied of what identifies its owner (title,
    description, date, address), made private and given a new share token,
    so its old link is a 404 for everyone. Idempotent: a list already
    closed changes no more (its token is rotated again, which is harmless).
    """
    tokens = []
    with transaction.atomic():
        for wishlist in WishList.objects.select_for_update().filter(owner=owner):
            tokens.append(wishlist.share_token)
            try:
                with transaction.atomic():
                    wishlist.delete()
                continue
            except ProtectedError:
                pass
            WishList.objects.filter(pk=wishlist.pk).update(
                title=CLOSED_LIST_TITLE,
                description="",
                occasion_date=None,
                address=None,
                visibility=WishList.Visibility.PRIVATE,
                share_token=new_share_token(),
            )
        list_changed(*tokens)
