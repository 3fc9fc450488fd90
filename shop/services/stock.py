"""Taking units from stock: the one place stock goes down."""

from django.db.models import F

from shop import pagecache
from shop.fragments import card_stock
from shop.models import Product


def take_stock(product: Product, quantity: int) -> None:
    """Take ``quantity`` units of ``product``, whose row the caller has
    locked and checked; a plain ``UPDATE``, so ``product`` is left as read.

    The product's own page shows its exact stock, so it is stale at once;
    the catalog's pages only when its card changes (to "only n left" or
    "sold out"), so a sale does not empty the page cache with every order.
    """
    Product.objects.filter(pk=product.pk).update(
        stock_on_hand=F("stock_on_hand") - quantity
    )
    scopes = [f"product:{product.slug}"]
    before, after = product.stock_on_hand, product.stock_on_hand - quantity
    if card_stock(before) != card_stock(after):
        scopes.append("catalog")
    pagecache.changed(*scopes)
