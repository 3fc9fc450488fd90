"""Wish lists and their items. Built by the wish-list issue."""
