"""Taking units from stock: the one place stock goes down, and what a
buyer is told when a cart line cannot have the units it asks for."""

from typing import NoReturn

from django.db import connection
from django.utils.translation import gettext as _

from core import pagecache, rows
from shop.cards import card_stock
from shop.exceptions import CartChanged, OutOfStock, ProductUnavailable
from shop.models import CartLine, Product


def take_stock(*, product: Product, quantity: int, price: int | None = None) -> bool:
    """Take ``quantity`` units of ``product`` if that many are in stock and,
    given ``price``, if it is still sold and at that price. Returns whether
    it did; if not, nothing changed (read the product to say why).

    One conditional ``UPDATE``: it checks and takes at once, and locks the
    row until the transaction ends, so two orders can never both take the
    last unit. ``product`` is left as read.

    The product's own page shows its exact stock, so it is stale at once;
    the catalog's pages only when its card changes (to "only n left" or
    "sold out"), so a sale does not empty the page cache with every order.
    The stock the statement leaves is what decides that, not the stock read
    earlier, which other orders may have changed since.
    """
    table = connection.ops.quote_name(Product._meta.db_table)
    conditions = ["id = %s", "stock_on_hand >= %s"]
    parameters = [quantity, product.pk, quantity]
    if price is not None:
        conditions += ["is_active", "price = %s"]
        parameters.append(price)
    # Raw SQL for RETURNING, which the ORM's update() does not offer: the
    # stock left is needed, and reading it again would be one more query.
    with connection.cursor() as cursor:
        rows.execute(
            cursor,
            f"UPDATE {table} SET stock_on_hand = stock_on_hand - %s "  # noqa: S608
            f"WHERE {' AND '.join(conditions)} RETURNING stock_on_hand",
            parameters,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    after = row[0]
    scopes = [f"product:{product.slug}"]
    if card_stock(after + quantity) != card_stock(after):
        scopes.append("catalog")
    pagecache.changed(*scopes)
    return True


def check_in_stock(*, lines: list[CartLine], products: dict[int, Product]) -> None:
    """Raise what the buyer is told when a line cannot be sold as it is: its
    product (in ``products``, by id) is no longer sold, or has fewer units
    in stock than the line asks for."""
    for line in lines:
        product = products[line.product_id]
        if not product.is_active:
            raise ProductUnavailable(
                _("%(product)s is no longer sold; remove it from your cart.")
                % {"product": product.display_name}
            )
        if product.stock_on_hand < line.quantity:
            if product.stock_on_hand == 0:
                message = _("Sorry, %(product)s has just sold out.")
            else:
                message = _("Sorry, only %(count)d of %(product)s are left.")
            raise OutOfStock(
                message
                % {"product": product.display_name, "count": product.stock_on_hand}
            )


def refuse_line(*, line: CartLine) -> NoReturn:
    """Say why ``take_stock`` took nothing for a cart line: its product, read
    again, is no longer sold or in stock, or its price changed since the
    charge."""
    product = Product.objects.get(pk=line.product_id)
    check_in_stock(lines=[line], products={product.pk: product})
    raise CartChanged()


def release_stock(*, product_id: int, quantity: int) -> None:
    """Put back ``quantity`` units an order held and will not ship (it was
    cancelled before it was paid); the product's pages are renewed."""
    table = connection.ops.quote_name(Product._meta.db_table)
    with connection.cursor() as cursor:
        rows.execute(
            cursor,
            f"UPDATE {table} SET stock_on_hand = stock_on_hand + %s "  # noqa: S608
            "WHERE id = %s RETURNING stock_on_hand, slug",
            [quantity, product_id],
        )
        row = cursor.fetchone()
    if row is None:
        return
    after, slug = row
    scopes = [f"product:{slug}"]
    if card_stock(after - quantity) != card_stock(after):
        scopes.append("catalog")
    pagecache.changed(*scopes)
