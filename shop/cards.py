"""What a product card shows: the values a cached product grid is keyed on
(``core.fragments``), and the stock that renews the catalog's cached pages
(``core.pagecache``) when a card changes."""

from shop.images import first_image_key
from shop.models import CartLine, Product


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


def cart_line(line: CartLine) -> tuple:
    """What a line of the cart page shows, for ``shown``: the product's
    names, link, price, picture, whether it is still sold and its stock
    (the quantity field's maximum), and the line's quantity. The picture
    is ``first_image_key`` from the annotations of
    ``selectors.cart_page_lines``, so a cached line needs no photo query."""
    product = line.product
    return (
        product.pk,
        product.slug,
        product.name,
        product.name_ja,
        product.price,
        product.is_active,
        product.stock_on_hand,
        line.quantity,
        line.first_image_pk,
        line.first_image_at.isoformat() if line.first_image_at else None,
    )
