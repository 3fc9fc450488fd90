from .cart import Cart, CartLine
from .catalog import Category, Product
from .credit import StoreCreditAccount, StoreCreditEntry
from .images import ProductImage
from .orders import ORDER_NUMBER_OFFSET, Order, OrderEvent, OrderLine
from .payments import Payment, PaymentEvent, Refund, RefundPart
from .provider_ledger import (
    TestProviderCharge,
    TestProviderRefund,
    TestProviderSession,
)
from .shipments import Shipment, ShipmentLine
from .users import Address, User

__all__ = [
    "ORDER_NUMBER_OFFSET",
    "Address",
    "Cart",
    "CartLine",
    "Category",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payment",
    "PaymentEvent",
    "Product",
    "ProductImage",
    "Refund",
    "RefundPart",
    "Shipment",
    "ShipmentLine",
    "StoreCreditAccount",
    "StoreCreditEntry",
    "TestProviderCharge",
    "TestProviderRefund",
    "TestProviderSession",
    "User",
]
