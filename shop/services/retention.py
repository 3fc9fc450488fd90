"""Forgetting where an order went, once nobody needs to know any more.

The shop does not decide when: the app that shipped to someone else's
address does (``gifts.services.forget_recipient_addresses``), and calls this.
"""

import datetime
import logging

from django.db.models import QuerySet

from core.batches import DEFAULT_BATCH_SIZE, update_in_batches
from shop.models import Order

logger = logging.getLogger(__name__)


def forget_destinations(
    *,
    orders: QuerySet[Order],
    now: datetime.datetime,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Remove the name, street lines, city, postal code and phone an order
    shipped to; keep the country and region (the books and "shipped to
    Kyoto" need them), and note when (``ship_to_forgotten_at``).

    Guarantees: one ``UPDATE`` per batch of orders, however many; an order
    already forgotten is skipped, so running it twice changes nothing the
    second time. No parcel can be made for a forgotten order afterwards
    (``create_shipment`` refuses it), so nothing ships to a blank address.
    Returns the number of orders changed.
    """
    forgotten = update_in_batches(
        orders.filter(ship_to_forgotten_at__isnull=True),
        batch_size=batch_size,
        ship_to_name="",
        ship_to_postal_code="",
        ship_to_city="",
        ship_to_line1="",
        ship_to_line2="",
        ship_to_phone="",
        ship_to_forgotten_at=now,
    )
    if forgotten:
        logger.info("Forgot the shipping address of %s order(s)", forgotten)
    return forgotten
