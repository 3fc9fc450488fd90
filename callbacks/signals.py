"""``callback_changed(callback, old_state, new_state, detail)`` is sent after
the change commits, once per change, so listeners see what is stored."""

from django.dispatch import Signal

callback_changed = Signal()
