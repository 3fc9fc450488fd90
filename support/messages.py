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

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.text import fill, then
from shop.models import Product
from shop.pricing import format_money

# For the customer (public entries).
AGENT_WILL_LOOK = "agent_will_look"
REPLACEMENT_ON_ITS_WAY = "replacement_on_its_way"
ADDED_TO_STORE_CREDIT = "added_to_store_credit"
REFUNDED_TO_PAYMENT = "refunded_to_payment"
DOCUMENTS_ON_THEIR_WAY = "documents_on_their_way"
NO_DOCUMENTS_TO_POST = "no_documents_to_post"
ON_ITS_WAY_WITH_CARRIER = "on_its_way_with_carrier"
CALL_CANCELLED_SORTED = "call_cancelled_sorted"
CALL_CANCELLED_CLOSED = "call_cancelled_closed"
# A support call's progress, as the customer hears of it: "call:<state>".
CALL_NO_ANSWER_TRY_AGAIN = "call_no_answer_try_again"
# For staff: why an automatic decision went to an agent, and who did what.
NO_DOCUMENTS_ASK_CUSTOMER = "no_documents_ask_customer"
ABOVE_NO_PROOF_LIMIT = "above_no_proof_limit"
NO_PROOF_RESHIPS_USED = "no_proof_reships_used"
REMEDY_LEFT_TO_US = "remedy_left_to_us"
ABOVE_SELF_SERVICE_LIMIT = "above_self_service_limit"
NEEDS_A_PERSON = "needs_a_person"
NOT_SHIPPED_YET = "not_shipped_yet"
CARRIER_SAYS_DELIVERED = "carrier_says_delivered"
PAST_CARRIER_WINDOW = "past_carrier_window"
SOLD_OUT = "sold_out"
REFUND_REFUSED = "refund_refused"
CUSTOMER_ASKED_FOR_CALL = "customer_asked_for_call"
CUSTOMER_CANCELLED_CALL = "customer_cancelled_call"
AGENT_ASKED_FOR_CALL = "agent_asked_for_call"
AGENT_TOOK_CALL = "agent_took_call"
AGENT_DIDNT_GET_THROUGH = "agent_didnt_get_through"
MISSED_PICK_UP = "missed_pick_up"

MESSAGES = {
    AGENT_WILL_LOOK: _("An agent will look at this and get back to you."),
    REPLACEMENT_ON_ITS_WAY: _(
        "A replacement of %(count)d × %(item)s is on its way, expected "
        "by %(date)s. No need to send anything back."
    ),
    ADDED_TO_STORE_CREDIT: _("%(amount)s was added to your store credit."),
    REFUNDED_TO_PAYMENT: _("%(amount)s is being refunded to your original payment."),
    DOCUMENTS_ON_THEIR_WAY: _("We are posting %(documents)s, expected by %(date)s."),
    NO_DOCUMENTS_TO_POST: _(
        "%(item)s does not come with a printed manual or warranty card, "
        "so there is nothing we can post. An agent will look at this and "
        "get back to you."
    ),
    ON_ITS_WAY_WITH_CARRIER: _(
        "It's on its way with %(carrier)s (tracking %(tracking)s), expected "
        "by %(date)s. If it hasn't arrived by %(window)s, reply here and we "
        "will send another or refund it."
    ),
    CALL_CANCELLED_SORTED: _(
        "We've cancelled the call booked for %(time)s, as this is sorted. "
        "If you'd still like to talk to us, ask for a call here."
    ),
    CALL_CANCELLED_CLOSED: _(
        "We've cancelled the call booked for %(time)s, as this case is closed."
    ),
    "call:scheduled": _("We'll call you at %(due)s."),
    "call:dialing": _("Calling you now."),
    "call:ringing": _("Your phone is ringing."),
    "call:in_progress": _("Connected: an agent will be with you shortly."),
    "call:completed": _("The call has ended."),
    "call:failed": _("We couldn't reach you. Reply here, or ask for a call again."),
    "call:cancelled": _("Call cancelled."),
    CALL_NO_ANSWER_TRY_AGAIN: _("No answer. We'll try again at %(due)s."),
    NO_DOCUMENTS_ASK_CUSTOMER: _(
        "%(item)s ships with no printed manual or warranty card, so "
        "nothing was posted: ask the customer what is missing."
    ),
    ABOVE_NO_PROOF_LIMIT: _("Above the no-proof value limit."),
    NO_PROOF_RESHIPS_USED: _("%(count)d no-proof reships in 12 months already."),
    REMEDY_LEFT_TO_US: _("The customer left the remedy to us."),
    ABOVE_SELF_SERVICE_LIMIT: _("Above the self-service value limit."),
    NEEDS_A_PERSON: _("Needs a person to read it."),
    NOT_SHIPPED_YET: _("Not shipped yet."),
    CARRIER_SAYS_DELIVERED: _("The carrier reports it delivered."),
    PAST_CARRIER_WINDOW: _("Past the carrier's delivery window."),
    SOLD_OUT: _("%(item)s is out of stock, so it can't be sent again right now."),
    REFUND_REFUSED: _("The payment provider refused the refund: %(reason)s"),
    CUSTOMER_ASKED_FOR_CALL: _("The customer asked to be called at %(time)s."),
    CUSTOMER_CANCELLED_CALL: _("The customer cancelled the call."),
    AGENT_ASKED_FOR_CALL: _("%(agent)s asked to call the customer at %(time)s."),
    AGENT_TOOK_CALL: _("%(agent)s took the call (%(reference)s)."),
    AGENT_DIDNT_GET_THROUGH: _(
        "%(agent)s didn't get through (%(reason)s); the caller is "
        "waiting for the next agent."
    ),
    MISSED_PICK_UP: _(
        "Missed pick-up: %(agent)s didn't answer within %(seconds)s s; the "
        "caller is first in line again."
    ),
}

# Said after the sentence when the entry names the product's online manual.
ONLINE_MANUAL = {
    DOCUMENTS_ON_THEIR_WAY: _("The manual is also online: %(url)s"),
    NO_DOCUMENTS_TO_POST: _("The manual is online: %(url)s"),
}

# The sentences that name the case's item (read from its order line).
NAMES_THE_ITEM = {
    REPLACEMENT_ON_ITS_WAY,
    NO_DOCUMENTS_TO_POST,
    NO_DOCUMENTS_ASK_CUSTOMER,
    SOLD_OUT,
}

# Facts stored as ISO dates or datetimes, said as a date or a time.
DATES = ("date", "window")
TIMES = ("time", "due")


def call_message(state: str) -> str:
    """The id of what the customer is told when their call reaches ``state``."""
    return f"call:{state}"


def params_for(**facts) -> dict:
    """The facts an entry names, as they are stored (JSON): dates and times
    as ISO strings, amounts in minor units, the rest as given. A fact that
    is None is left out."""
    params: dict = {}
    for name, value in facts.items():
        if value is None:
            continue
        if isinstance(value, datetime.date):  # a datetime is a date too
            value = value.isoformat()
        params[name] = value
    return params


def words(message: str, params: dict, *, item: str = "") -> str:
    """Sentence ``message`` with ``params``, in the active language."""
    values = dict(params)
    for name in DATES:
        if values.get(name):
            values[name] = formats.date_format(
                datetime.date.fromisoformat(values[name]), "DATE_FORMAT"
            )
    for name in TIMES:
        if values.get(name):
            values[name] = formats.time_format(
                timezone.localtime(datetime.datetime.fromisoformat(values[name]))
            )
    if "amount" in values:
        values["amount"] = format_money(values["amount"])
    if "documents" in values:
        values["documents"] = _documents_object(values["documents"])
    for name in ("date", "tracking"):  # not known when it was written
        values.setdefault(name, "—")
        values[name] = values[name] or "—"
    values["item"] = item
    # A value ending with its own stop ("2:01 a.m.") ends the sentence.
    said = fill(MESSAGES[message], values)
    if values.get("url") and message in ONLINE_MANUAL:
        said = then(said, fill(ONLINE_MANUAL[message], values))
    return said


def _documents_object(documents: str) -> str:
    """The printed papers, as the object of "We are posting …"."""
    return str(
        {
            Product.Documents.MANUAL: _("the printed manual"),
            Product.Documents.WARRANTY_CARD: _("the warranty card"),
            Product.Documents.BOTH: _("the printed manual and warranty card"),
        }[documents]
    )


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
