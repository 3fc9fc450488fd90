"""Timeline entries said in each reader's language.

Most of a case's automatic entries are sentences of ours, not anyone's
typing. Such an entry keeps the id of its sentence (``CaseEvent.message``)
and the facts it names (``CaseEvent.params``: numbers, ISO dates, amounts in
minor units), and is put into words when it is read (``render``), in the
language then in force: the customer's on their case page, the agent's in
the admin. The item is named from the case's order line, also at reading.

``CaseEvent.body`` is still written, in the customer's language, for the
emails that quote an entry and as the text of an entry whose sentence is
not (or no longer) here; entries written before ids existed have only it.
"""

import datetime

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from shop.pricing import format_money

AGENT_WILL_LOOK = "agent_will_look"
REPLACEMENT_ON_ITS_WAY = "replacement_on_its_way"
ADDED_TO_STORE_CREDIT = "added_to_store_credit"
REFUNDED_TO_PAYMENT = "refunded_to_payment"

MESSAGES = {
    AGENT_WILL_LOOK: _("An agent will look at this and get back to you."),
    REPLACEMENT_ON_ITS_WAY: _(
        "A replacement of %(count)d × %(item)s is on its way, expected "
        "by %(date)s. No need to send anything back."
    ),
    ADDED_TO_STORE_CREDIT: _("%(amount)s was added to your store credit."),
    REFUNDED_TO_PAYMENT: _("%(amount)s is being refunded to your original payment."),
}


def params_for(
    *,
    count: int | None = None,
    date: datetime.date | None = None,
    amount: int | None = None,
) -> dict:
    """The facts an entry names, as they are stored (JSON)."""
    params: dict = {}
    if count is not None:
        params["count"] = count
    if date is not None:
        params["date"] = date.isoformat()
    if amount is not None:
        params["amount"] = amount
    return params


def words(message: str, params: dict, *, item: str = "") -> str:
    """Sentence ``message`` with ``params``, in the active language."""
    values = dict(params)
    if "date" in values:
        values["date"] = formats.date_format(
            datetime.date.fromisoformat(values["date"]), "DATE_FORMAT"
        )
    if "amount" in values:
        values["amount"] = format_money(values["amount"])
    values["item"] = item
    return str(MESSAGES[message]) % values


# The sentences that name the case's item (read from its order line).
NAMES_THE_ITEM = {REPLACEMENT_ON_ITS_WAY}


def render(event) -> str:
    """What ``event`` (a ``CaseEvent``) says, in the active language: its
    sentence again if it has one we know, else the body it was written with.
    No query when the event's case came with its order line."""
    if event.message not in MESSAGES:
        return event.body
    item = ""
    if event.message in NAMES_THE_ITEM:
        item = event.case.order_line.display_name
    try:
        return words(event.message, event.params, item=item)
    except (KeyError, TypeError, ValueError):
        return event.body
