"""Taking units from stock: the one place stock goes down."""

from django.db import connection

from core import pagecache
from shop.cards import card_stock
from shop.models import Product


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
        cursor.execute(
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
