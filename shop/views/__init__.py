"""The shop's views: catalog, cart, checkout, orders and the account."""
