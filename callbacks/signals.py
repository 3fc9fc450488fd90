"""What callbacks announce, and how, so a listener can never stop a call.

``callback_changed(callback, old_state, new_state, detail, with_subject)`` is
sent once per state change (``with_subject`` is true for a call booked in
the transaction that made its subject, ``schedule_callback(subject_is_new=
True)``: the asker has recorded the booking there, with its own writes, and
its listener need not again); ``callback_claimed(callback, agent)`` when an
agent takes a waiting caller and ``callback_released(callback, agent,
reason)`` when that agent's phone was not answered and the caller is back in
the queue; ``callback_missed(callback, agent)`` when a waiting caller was not
put through in time (``agent`` is who had taken them, or None) and is first
in line again.

All are sent **after the change commits**, with ``send_robust``: a listener
sees what is stored, and a listener that raises is logged and skipped, never
propagated. We chose after-commit over sending inside the transaction because
a listener's database error inside our transaction would abort it (on
PostgreSQL every later statement fails until rollback), so the call's own
change would be lost with the listener's write; after commit nothing a
listener does can undo or block the call's change, the dial that follows it,
or the other listeners. The price: a listener that fails loses its own
side effect (say, one line on the asking app's timeline), which the log
records.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

from core.logs import bind

logger = logging.getLogger(__name__)

callback_changed = Signal()
callback_claimed = Signal()
callback_released = Signal()
callback_missed = Signal()


def announce_after_commit(signal: Signal, sender, **named) -> None:
    """Send ``signal`` once the current transaction commits (at once outside
    one); every receiver runs, and each failure is logged, never raised."""

    def send() -> None:
        # Listeners run after the verb's own ``bind`` has ended: what they
        # log carries the call's ids again.
        with bind(**named["callback"].log_fields()):
            for receiver, result in signal.send_robust(sender=sender, **named):
                if isinstance(result, Exception):
                    logger.error(
                        "Callback listener %r failed; the call goes on",
                        receiver,
                        exc_info=(type(result), result, result.__traceback__),
                    )

    transaction.on_commit(send, robust=True)
