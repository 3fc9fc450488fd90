"""Filing cases, putting things right, and agents' actions.

Every change writes a timeline event in the same transaction. Money and
parcels go through the shop's services; emails leave after commit.

Sent twice, a form acts once: each customer or agent action takes the
form's submission key (``core.submissions``) and stores it on the case (when
filing) or on the timeline entry it writes, unique per case. It locks the
case's row first, so a twin sent at the same moment waits, then finds the
first one's entry and returns its result instead of acting again.

The verbs live in modules by who acts; import them from here
(``from support import services; services.file_case(...)``):

- ``filing``: a customer files a case, and the automatic decision;
- ``customer``: the customer writes on the case, asks for a call, cancels it;
- ``actions``: what an agent may do to a case in its state, and why not;
- ``agent``: the agents' buttons;
- ``retention``: how long the numbers of a case's calls are kept;
- ``_remedies`` and ``_common``: the steps and helpers those share.
"""

from support.services.actions import (
    AGENT_ACTIONS,
    MOVES_MONEY_OR_GOODS,
    ON_THE_PHONE,
    allowed_actions,
    why_not,
)
from support.services.agent import (
    add_note,
    assign_case,
    call_customer,
    close,
    issue_credit,
    refund,
    reopen,
    reply,
    reship,
    resolve,
)
from support.services.closure import (
    close_cases_of_closed_account,
    erase_customer_words,
)
from support.services.customer import ask_for_call, cancel_call, post_customer_message
from support.services.filing import (
    Filing,
    check_may_file,
    file_case,
    file_or_find_case,
)
from support.services.retention import cases_ended_before, forget_call_numbers

__all__ = [
    "AGENT_ACTIONS",
    "MOVES_MONEY_OR_GOODS",
    "ON_THE_PHONE",
    "Filing",
    "add_note",
    "allowed_actions",
    "ask_for_call",
    "assign_case",
    "call_customer",
    "cancel_call",
    "cases_ended_before",
    "check_may_file",
    "close",
    "close_cases_of_closed_account",
    "erase_customer_words",
    "file_case",
    "file_or_find_case",
    "forget_call_numbers",
    "issue_credit",
    "post_customer_message",
    "refund",
    "reopen",
    "reply",
    "reship",
    "resolve",
    "why_not",
]
