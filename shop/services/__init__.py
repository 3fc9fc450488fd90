"""The shop's verbs. Each is the one place where its change happens."""

from .accounts import (
    delete_address,
    remember_language,
    save_address,
    set_default_address,
    update_profile,
)
from .cart import (
    OpenCart,
    add_to_cart,
    create_cart,
    merge_carts,
    remove_from_cart,
    set_line_quantity,
)
from .checkout import Destination, checkout_cart, place_order, quote
from .closure import (
    anonymise_orders,
    anonymise_user,
    cancel_unpaid_orders,
    cancel_unshipped_order,
    delete_addresses,
    end_sign_in,
    erase_destination,
    forfeit_store_credit,
)
from .confirmations import send_confirmations_again
from .credit import issue_store_credit
from .fulfilment import (
    create_documents_shipment,
    create_replacement_shipment,
    create_shipment,
    create_shipment_for_remaining,
    mark_delivered,
    mark_shipped,
)
from .images import (
    add_product_image,
    make_missing_thumbnails,
    remove_product_image,
)
from .payments import (
    close_payment,
    handle_event,
    pending_payment,
    refresh_payment,
    settle,
    start_payment,
)
from .refunds import refund_order_line
from .retention import forget_destinations

__all__ = [
    "Destination",
    "OpenCart",
    "add_product_image",
    "add_to_cart",
    "anonymise_orders",
    "anonymise_user",
    "cancel_unpaid_orders",
    "cancel_unshipped_order",
    "checkout_cart",
    "close_payment",
    "create_cart",
    "create_documents_shipment",
    "create_replacement_shipment",
    "create_shipment",
    "create_shipment_for_remaining",
    "delete_address",
    "delete_addresses",
    "end_sign_in",
    "erase_destination",
    "forfeit_store_credit",
    "forget_destinations",
    "handle_event",
    "issue_store_credit",
    "make_missing_thumbnails",
    "mark_delivered",
    "mark_shipped",
    "merge_carts",
    "pending_payment",
    "place_order",
    "quote",
    "refresh_payment",
    "refund_order_line",
    "remember_language",
    "remove_from_cart",
    "remove_product_image",
    "save_address",
    "send_confirmations_again",
    "set_default_address",
    "set_line_quantity",
    "settle",
    "start_payment",
    "update_profile",
]
