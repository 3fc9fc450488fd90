"""Demo data: the couple's wedding list, a dozen things they'd love."""

import datetime

from django.utils import timezone

from shop.demo import demo_user
from shop.models import Product
from wishlist import services
from wishlist.models import WishList, WishListItem

WEDDING_LIST_TITLE = "Aiko & Ren's wedding"

# (SKU, how many, priority, note)
WEDDING_ITEMS = [
    ("KIT-001", 1, WishListItem.Priority.MUST_HAVE, ""),
    ("KIT-002", 2, WishListItem.Priority.HIGH, "Two sets, for guests"),
    ("TEA-002", 2, WishListItem.Priority.HIGH, "Indigo, if you can choose"),
    ("HOM-002", 1, WishListItem.Priority.MUST_HAVE, "Natural colour"),
    ("TEA-001", 1, WishListItem.Priority.NORMAL, ""),
    ("KIT-004", 1, WishListItem.Priority.HIGH, ""),
    ("KIT-003", 1, WishListItem.Priority.NORMAL, ""),
    ("HOM-001", 2, WishListItem.Priority.NORMAL, ""),
    ("HOM-003", 2, WishListItem.Priority.LOW, ""),
    ("TEA-005", 1, WishListItem.Priority.NORMAL, ""),
    ("KIT-006", 1, WishListItem.Priority.LOW, ""),
    ("HOM-008", 3, WishListItem.Priority.LOW, "Yuzu and hinoki"),
]


def seed(stdout) -> None:
    couple = demo_user("couple")
    wishlist = WishList.objects.filter(owner=couple, title=WEDDING_LIST_TITLE).first()
    if wishlist is None:
        wishlist = services.create_wishlist(
            owner=couple,
            title=WEDDING_LIST_TITLE,
            description="We're getting married in Kyoto this spring! Thank you "
            "for helping us start our home together.",
            occasion=WishList.Occasion.WEDDING,
            occasion_date=timezone.localdate() + datetime.timedelta(days=120),
            address=couple.addresses.get(is_default=True),
            visibility=WishList.Visibility.PUBLIC,
        )
        for sku, quantity, priority, note in WEDDING_ITEMS:
            services.add_item(
                wishlist=wishlist,
                product=Product.objects.get(sku=sku),
                actor=couple,
                quantity=quantity,
                priority=priority,
                note=note,
            )
    stdout.write(f"Wish list: {wishlist.title} ({wishlist.items.count()} items)")
