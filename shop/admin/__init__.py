"""Staff screens: catalog and stock, customers, orders and fulfilment.

Importing the package registers every screen; the names stay importable
from ``shop.admin`` (other apps' inlines build on ``ReadOnlyInline``).
"""

from .catalog import CategoryAdmin, ProductAdmin
from .fulfilment import (
    ShipmentAdmin,
    ShipmentForm,
    ShipmentLineInline,
    ShipmentsFromOrderMixin,
)
from .inlines import ReadOnlyInline
from .orders import (
    ConfirmationFilter,
    OrderAdmin,
    OrderEventInline,
    OrderLineInline,
    PaymentInline,
    RefundInline,
    ShipmentInline,
)
from .users import AddressAdmin, UserAdmin

__all__ = [
    "AddressAdmin",
    "CategoryAdmin",
    "ConfirmationFilter",
    "OrderAdmin",
    "OrderEventInline",
    "OrderLineInline",
    "PaymentInline",
    "ProductAdmin",
    "ReadOnlyInline",
    "RefundInline",
    "ShipmentAdmin",
    "ShipmentForm",
    "ShipmentInline",
    "ShipmentLineInline",
    "ShipmentsFromOrderMixin",
    "UserAdmin",
]
