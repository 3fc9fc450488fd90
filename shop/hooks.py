"""Signals other apps connect to, sent inside the transaction that makes
the change, so a receiver's writes commit with it or not at all.

- ``order_paid(order)``: an order awaiting payment is placed.
- ``order_cancelled(order)``: an order awaiting payment is cancelled; its
  stock and store credit have gone back.
"""

from django.dispatch import Signal

order_paid = Signal()
order_cancelled = Signal()
