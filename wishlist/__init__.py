"""Wish lists and their items: what someone wants, for friends to buy."""
