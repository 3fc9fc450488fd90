"""The case page as an agent reads it: the timeline, the parcels, what the
customer wants. Built here, shown by ``templates/admin/support/case/
change_form.html`` as it comes.

One phone call is one row, however many states it went through: the call
writes a public line and a raw internal line on the case at each change
(``support.calls.record_call_change``), and an agent's line when one takes
it. Those lines are folded into their call's row; its progress comes from
the call's own history (``callbacks.CallbackEvent``), and the provider's ids
(our ``cb_…`` reference, Twilio's call SIDs) sit in a fold of their own.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callbacks.models import MISSED_PICKUP, CallbackRequest
from shop.models import Shipment
from support import calls
from support.models import Case, CaseEvent

State = CallbackRequest.State

# A call's progress in agents' words, by the state it moved to.
CALL_STEPS = {
    State.SCHEDULED: _("scheduled"),
    State.DIALING: _("dialling"),
    State.RINGING: _("ringing"),
    State.IN_PROGRESS: _("connected"),
    State.COMPLETED: _("completed"),
    State.NO_ANSWER: _("no answer"),
    State.BUSY: _("busy"),
    State.FAILED: _("failed"),
    State.CANCELLED: _("cancelled"),
}

MISSED_PICKUP_STEP = _("missed pick-up")

# Ids of the phone provider's and ours, in a line of text: folded away.
PROVIDER_ID = re.compile(r"\b(?:cb_[0-9a-f]{8,}|CA[0-9a-f]{32})\b")
_EMPTY_BRACKETS = re.compile(r"\s*(?:\(\s*\)|（\s*）)")

# What the customer asked for, in plain words.
WANTS = {
    Case.Remedy.REPLACEMENT: _("a replacement"),
    Case.Remedy.REFUND: _("a refund"),
}


@dataclass
class Row:
    """One row of the timeline: an entry of the case, or a whole call."""

    at: datetime.datetime
    # The entry's kind (``CaseEvent.Kind``); a call's row is a "call".
    kind: str
    title: str
    who: str = ""
    body: str = ""
    is_public: bool = True
    # A call's row: its progress, what agents did with it, and the
    # provider's ids with the call's raw history (shown folded).
    is_call: bool = False
    steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    provider_ids: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)


def wants(case: Case) -> str:
    """What the customer wants, in words: "a replacement", or that they
    have not said."""
    return str(WANTS.get(case.remedy, _("Not said yet")))


def without_provider_ids(text: str) -> tuple[str, list[str]]:
    """``text`` with the provider's ids taken out, and those ids."""
    ids = PROVIDER_ID.findall(text)
    cleaned = _EMPTY_BRACKETS.sub("", PROVIDER_ID.sub("", text))
    return re.sub(r" {2,}", " ", cleaned).strip(), ids


def _steps(callback: CallbackRequest) -> list[str]:
    """The states the call went through, in order, each once in a row; a
    retry shows as the outcome that caused it ("no answer"), and a waiting
    caller nobody put through in time as "missed pick-up" (×2 when twice
    in a row)."""
    steps: list[str] = []
    missed = 0
    for event in callback.events.all():  # prefetched, in order
        if event.detail.startswith(MISSED_PICKUP):
            missed = missed + 1 if missed and steps else 1
            label = str(MISSED_PICKUP_STEP)
            if missed > 1:
                steps[-1] = f"{label} (×{missed})"
            else:
                steps.append(label)
            continue
        if event.from_state == event.to_state:
            continue  # a note on the call's history, not a change
        missed = 0
        to = event.to_state
        if to == State.SCHEDULED and event.from_state:
            outcome = event.detail.split(" ", 1)[0]
            to = outcome if outcome in (State.NO_ANSWER, State.BUSY) else to
        label = str(CALL_STEPS.get(to, to))
        if not steps or steps[-1] != label:
            steps.append(label)
    return steps


def _call_row(callback: CallbackRequest) -> Row:
    ids = [callback.reference, callback.call_sid, callback.agent_call_sid]
    details = [
        f"{timezone.localtime(event.created_at):%H:%M:%S} "
        f"{event.from_state or '·'} → "
        f"{event.to_state} {event.detail}".strip()
        for event in callback.events.all()
    ]
    who = str(callback.claimed_by) if callback.claimed_by_id else ""
    body = str(_("To %(number)s") % {"number": callback.number})
    if callback.answered_by:
        body += " · " + str(
            _("answered by: %(who)s") % {"who": callback.get_answered_by_display()}
        )
    for detail in details:
        ids += PROVIDER_ID.findall(detail)
    return Row(
        at=callback.requested_at,
        kind=CaseEvent.Kind.CALL,
        title=str(_("Phone call")),
        who=who,
        body=body,
        is_call=True,
        steps=_steps(callback),
        provider_ids=list(dict.fromkeys(i for i in ids if i)),
        history=details,
    )


def _call_of(event: CaseEvent, callbacks: list[CallbackRequest]):
    """The call a call line of the case belongs to: the last one asked for
    at or before it (calls of a case follow each other)."""
    found = None
    for callback in callbacks:  # oldest first
        if callback.requested_at <= event.created_at:
            found = callback
    return found


def case_calls(case: Case) -> list[CallbackRequest]:
    """The case's phone calls, oldest first, with their history and who
    took them: two queries, for the timeline and the page's call list."""
    return list(
        calls.calls_for(case)
        .select_related("claimed_by")
        .order_by("requested_at", "pk")
    )


def timeline_rows(
    case: Case, *, callbacks: list[CallbackRequest] | None = None
) -> list[Row]:
    """The case's timeline, oldest first: each entry one row, except that
    each phone call is one row with its progress inline. Three queries
    (four with calls), however long the timeline; one, given the case's
    ``callbacks`` (``case_calls``)."""
    if callbacks is None:
        callbacks = case_calls(case)
    call_rows = {callback.pk: _call_row(callback) for callback in callbacks}
    rows: list[tuple[datetime.datetime, int, Row]] = []
    for event in case.events.select_related("actor"):
        callback = (
            _call_of(event, callbacks) if event.kind == CaseEvent.Kind.CALL else None
        )
        if callback is not None:
            row = call_rows[callback.pk]
            if event.actor_id is not None:
                # An agent and the call ("took the call", "didn't get through").
                text, ids = without_provider_ids(event.text)
                row.notes.append(text)
                row.provider_ids += [i for i in ids if i not in row.provider_ids]
            # Customer's and raw lines: the steps and the fold say them.
            continue
        body, ids = without_provider_ids(event.text)
        rows.append(
            (
                event.created_at,
                0,
                Row(
                    at=event.created_at,
                    kind=event.kind,
                    title=event.get_kind_display(),
                    who=str(event.actor) if event.actor_id else "",
                    body=body,
                    is_public=event.is_public,
                    provider_ids=ids,
                ),
            )
        )
    rows += [(row.at, 1, row) for row in call_rows.values()]
    rows.sort(key=lambda item: (item[0], item[1]))
    return [row for _at, _order, row in rows]


@dataclass
class Parcel:
    shipment: Shipment
    # When it should arrive; None once it has (or when nobody said).
    eta: datetime.date | None


def parcels(shipments) -> list[Parcel]:
    """The item's parcels, each with its ETA only while it is on its way."""
    return [
        Parcel(
            shipment=shipment,
            eta=None
            if shipment.status == Shipment.Status.DELIVERED
            else shipment.estimated_delivery,
        )
        for shipment in shipments
    ]
