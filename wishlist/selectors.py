"""Read queries for wish-list pages."""

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from shop.images import first_image_key_columns, with_first_image
from shop.models import User
from wishlist.models import WishList, WishListItem


def lists_for_owner(*, owner: User) -> QuerySet[WishList]:
    return WishList.objects.filter(owner=owner).annotate(item_count=Count("items"))


def owned_list(*, owner: User, pk: int) -> WishList:
    """One of ``owner``'s lists; ``DoesNotExist`` for anyone else's."""
    return WishList.objects.select_related("address").get(pk=pk, owner=owner)


def owned_item(*, owner: User, pk: int) -> WishListItem:
    return WishListItem.objects.select_related("wishlist").get(
        pk=pk, wishlist__owner=owner
    )


def shows_purchases(*, wishlist: WishList, viewer) -> bool:
    """May ``viewer`` see what has been bought from this list (the counts,
    "bought" marks)? Givers may, so they don't buy twice; the owner only
    once the list is revealed, so the surprise holds."""
    is_owner = viewer.is_authenticated and viewer.pk == wishlist.owner_id
    return not is_owner or wishlist.is_revealed


def list_item_for_giver(*, token: str, item_id: int, viewer) -> WishListItem:
    """An item as a giver reaches it: through its list's share link, never
    by its id alone. ``DoesNotExist`` for a list ``viewer`` may not see and
    for an item of any other list, so walking ids learns nothing."""
    wishlist = shared_list(token=token, viewer=viewer)
    return wishlist.items.select_related("product").get(pk=item_id)


def shared_list(*, token: str, viewer) -> WishList:
    """The list behind a share link, if ``viewer`` may see it.

    Public and unlisted lists open for anyone with the link; a private list
    only for its owner. Everyone else gets ``DoesNotExist``, as for a link
    that never existed.
    """
    wishlist = WishList.objects.select_related("owner").get(share_token=token)
    if not wishlist.is_visible_to(viewer):
        raise WishList.DoesNotExist
    return wishlist


def search_public_lists(*, name: str) -> QuerySet[WishList]:
    """Public lists whose owner's display name contains ``name``."""
    name = name.strip()
    if len(name) < 2:
        return WishList.objects.none()
    return (
        WishList.objects.filter(
            visibility=WishList.Visibility.PUBLIC, owner__display_name__icontains=name
        )
        .select_related("owner")
        .annotate(item_count=Count("items"))
        .order_by("owner__display_name", "-created_at")[:50]
    )


def list_items(
    *, wishlist: WishList, for_owner: bool = False
) -> QuerySet[WishListItem]:
    """Items as the list's page shows them: still wanted first, by priority
    and the owner's order; fully bought items sink to the end.

    Each carries ``left``, the units still wanted as this viewer may know
    it. Givers count units held by gift orders awaiting payment as taken,
    so two cannot buy the last one; the owner (``for_owner``) counts only
    what was paid for, so a gift that is never paid leaves no trace."""
    taken = F("purchased_quantity")
    if not for_owner:
        taken = taken + F("held_quantity")
    return (
        wishlist.items.select_related("product")
        .prefetch_related(with_first_image("product__images"))
        .annotate(left=Greatest(F("desired_quantity") - taken, Value(0)))
        .annotate(
            bought=Case(
                When(Q(left=0), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("bought", "priority", "position", "pk")
    )


def manage_items(*, wishlist: WishList) -> QuerySet[WishListItem]:
    """Items in the owner's own order, for editing."""
    return (
        wishlist.items.select_related("product")
        .prefetch_related(with_first_image("product__images"))
        .order_by("position", "pk")
    )


def list_items_shown(*, wishlist: WishList, for_owner: bool = False) -> list[tuple]:
    """Every value the givers' item grid shows, item by item in its order,
    as plain rows: the grid's cache key (``core.fragments``), read without
    building a model per item."""
    return list(
        list_items(wishlist=wishlist, for_owner=for_owner)
        .prefetch_related(None)
        .annotate(**first_image_key_columns())
        .values_list(
            "pk",
            "desired_quantity",
            "left",
            "priority",
            "note",
            "product_id",
            "product__slug",
            "product__sku",
            "product__name",
            "product__name_ja",
            "product__price",
            "first_image_pk",
            "first_image_at",
        )
    )
