"""What a product card shows: the values a cached product grid is keyed on
(``core.fragments``), and the stock that renews the catalog's cached pages
(``core.pagecache``) when a card changes."""

from shop.images import first_image_key
from shop.models import Product


def product_card(product: Product) -> tuple:
    """What a product card shows, for ``shown``: names, price, picture, and
    stock as far as the card tells it (sold out, "only n left", or nothing)."""
    return (
        product.pk,
        product.slug,
        product.sku,
        product.name,
        product.name_ja,
        product.price,
        *first_image_key(product),
        card_stock(product.stock_on_hand),
    )


def card_stock(stock_on_hand: int) -> int:
    """Stock as a product card tells it: sold out (0), "only n left" (1-3),
    or nothing (4)."""
    return max(0, min(stock_on_hand, 4))
