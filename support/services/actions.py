"""What an agent may do to a case in its state, and why not: the rules the
admin's buttons and every agent verb read."""

from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callbacks.models import CallbackRequest
from shop.models import User
from support import calls, selectors
from support.exceptions import SupportError
from support.models import Case
from support.services._common import Status

AGENT_ACTIONS = (
    "assign", "reply", "note", "reship", "refund", "credit", "resolve", "close",
    "reopen", "call",
)  # fmt: skip
# Actions that send goods or money: the admin asks to confirm them.
MOVES_MONEY_OR_GOODS = ("reship", "refund", "credit")

ON_THE_PHONE = gettext_lazy(
    "The customer is on the phone right now: resolve or close the case when "
    "the call has ended."
)


class _Facts:
    """What the rules look up about a case beyond its row, each looked up
    once however many actions ask (``allowed_actions`` asks for all)."""

    def __init__(self, case: Case) -> None:
        self.case = case

    @cached_property
    def active_call(self) -> CallbackRequest | None:
        return calls.active_call(self.case)

    @cached_property
    def refunded(self) -> bool:
        return selectors.was_refunded(self.case)


def why_not(*, case: Case, action: str, facts: _Facts | None = None) -> str | None:
    """Why ``case``'s state refuses the agent ``action``, or None if it
    allows it. The one place for these rules; ``allowed_actions`` (the
    buttons the admin offers) and every agent verb read them here.

    - A closed case takes only notes until it is reopened.
    - Reship, refund and store credit only on an open case: a resolved
      case is reopened first, so a second remedy is a decision, never a
      stray click.
    - A gift is reshipped or refunded from its recipient's case only.
    - A case is refunded once.
    - Resolve and close wait while the customer is on the phone.
    - Only a resolved or closed case can be reopened.
    - The agent calls the customer from an open case with no call booked or
      under way (``call_customer`` also needs a number the customer gave).
    """
    if action not in AGENT_ACTIONS:
        return _("That can't be done with this case.")
    facts = facts or _Facts(case)
    if action == "note":
        return None
    if action == "reopen":
        return _("This case is already open.") if case.is_open else None
    if case.status == Status.CLOSED:
        if action == "close":
            return _("This case is already closed.")
        return _("This case is closed: reopen it first.")
    if action in ("reship", "refund") and case.is_givers_case:
        if action == "reship":
            return _("Reship a gift from the recipient's case.")
        return _("Refund a gift from the recipient's case.")
    if action == "refund" and facts.refunded:
        return _("This case has already been refunded.")
    if action in MOVES_MONEY_OR_GOODS and not case.is_open:
        return _(
            "This case is resolved: reopen it before you reship, refund or give credit."
        )
    if action == "call":
        if not case.is_open:
            return _("This case is resolved: reopen it before you call.")
        if facts.active_call is not None:
            return _("A call is already booked or under way for this case.")
        return None
    if action == "resolve" and case.status == Status.RESOLVED:
        return _("This case is already resolved.")
    if action in ("resolve", "close"):
        call = facts.active_call
        if call is not None and call.state != CallbackRequest.State.SCHEDULED:
            return str(ON_THE_PHONE)
    return None


def allowed_actions(*, case: Case, actor: User | None = None) -> frozenset[str]:
    """The agent actions ``case``'s state allows (``why_not``): the admin
    offers only these. "assign" is left out for the agent who has it."""
    facts = _Facts(case)
    allowed = {
        a for a in AGENT_ACTIONS if why_not(case=case, action=a, facts=facts) is None
    }
    if actor is not None and case.assigned_to_id == actor.pk:
        allowed.discard("assign")
    return frozenset(allowed)


def _check_allowed(case: Case, action: str) -> None:
    reason = why_not(case=case, action=action)
    if reason is not None:
        raise SupportError(reason)
