"""Support cases for orders and gifts, worked by agents in the Django admin."""
