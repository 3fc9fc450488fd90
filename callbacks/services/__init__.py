"""The callbacks' verbs, one module per group, all reachable from here:
``from callbacks import services; services.schedule_callback(...)``.

- ``scheduling``: ask for a call, move it, cancel it (and the checks on the
  number and the hourly budgets);
- ``dialing``: claim a due row, dial it within the call budget, handle the
  provider's refusals, reconcile a dial a worker died in;
- ``status``: the provider's status callbacks and the caller starting to wait;
- ``claims``: an agent takes a waiting caller and is put through; a caller
  nobody put through in time goes back to the head of the line;
- ``alarms``: the staff alarm when the shop's hourly cap refuses requests;
- ``retention``: removing the numbers of calls that are over, when the
  caller (support) says they are no longer needed.

Services queue the tasks in ``callbacks.tasks`` (imported at the top); the
tasks import services only inside their bodies, so neither needs the other
to load. Reads live in ``callbacks.selectors``.
"""

from callbacks.services.alarms import email_call_alarm, raise_call_alarm
from callbacks.services.claims import (
    bridge_claimed_call,
    claim_waiting_call,
    record_agent_status,
    release_claim,
    requeue_unpicked,
)
from callbacks.services.dialing import dial, reconcile
from callbacks.services.retention import forget_numbers
from callbacks.services.scheduling import (
    cancel_callback,
    reschedule_callback,
    schedule_callback,
)
from callbacks.services.status import mark_enqueued, record_status

__all__ = [
    "bridge_claimed_call",
    "cancel_callback",
    "claim_waiting_call",
    "dial",
    "email_call_alarm",
    "forget_numbers",
    "mark_enqueued",
    "raise_call_alarm",
    "reconcile",
    "record_agent_status",
    "record_status",
    "release_claim",
    "requeue_unpicked",
    "reschedule_callback",
    "schedule_callback",
]
