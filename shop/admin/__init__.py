"""Staff screens: catalog and stock, customers, orders and their payments,
and fulfilment.

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
    PaymentFilter,
    RefundInline,
    ShipmentInline,
    refund_tenders,
)
from .payments import PaymentEventAdmin, PaymentInline, dashboard_url
from .users import AddressAdmin, UserAdmin

__all__ = [
    "AddressAdmin",
    "CategoryAdmin",
    "ConfirmationFilter",
    "OrderAdmin",
    "OrderEventInline",
    "OrderLineInline",
    "PaymentEventAdmin",
    "PaymentFilter",
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
    "dashboard_url",
    "refund_tenders",
]
