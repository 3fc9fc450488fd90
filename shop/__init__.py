"""The shop: catalog, stock, cart, checkout, payment, orders, shipments,
addresses and the customer's account."""
