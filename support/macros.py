"""Canned replies: a macro rendered for one case, in its customer's language.

The one place a macro's text is made: the case page embeds each active
macro as rendered here, and a click puts that text in the reply box. The
result is plain text (the reply is emailed and shown escaped); the page
escapes it like any other value.
"""

import re
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shop.models import Shipment
from support.models import Case, Macro

PLACEHOLDERS = ("customer_name", "item", "order", "eta")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class RenderedMacro:
    macro: Macro
    text: str


def customer_language(case: Case) -> str:
    """ "ja" or "en": the language the customer reads replies in."""
    language = case.customer.language or translation.get_language() or "en"
    return "ja" if language.startswith("ja") else "en"


def latest_shipment(case: Case) -> Shipment | None:
    """The newest parcel carrying the case's item (a replacement's, once
    one was sent)."""
    return (
        Shipment.objects.filter(lines__order_line=case.order_line_id)
        .order_by("-created_at", "-pk")
        .first()
    )


def _eta(shipment: Shipment | None) -> str:
    """When the item arrives, as a phrase that reads in "It should arrive
    {eta}." and never leaves a gap: no date once it is delivered."""
    if shipment is not None and (
        shipment.status == Shipment.Status.DELIVERED or shipment.delivered_at
    ):
        return _("already (our carrier shows it as delivered)")
    if shipment is None or shipment.estimated_delivery is None:
        return _("as soon as we have a date (we'll email you)")
    date = formats.date_format(shipment.estimated_delivery, "DATE_FORMAT")
    return _("by %(date)s") % {"date": date}


def values_for(case: Case) -> dict[str, str]:
    """The placeholders' values for ``case``, in the customer's language."""
    with translation.override(customer_language(case)):
        return {
            "customer_name": case.customer.display_name
            or pgettext("a customer with no display name, as in 'Hi there,'", "there"),
            "item": case.order_line.display_name,
            "order": case.order.number,
            "eta": _eta(latest_shipment(case)),
        }


def _fill(macro: Macro, *, language: str, values: dict[str, str]) -> str:
    body = (
        macro.body_ja if language == "ja" and macro.body_ja.strip() else macro.body_en
    )
    return _PLACEHOLDER.sub(
        lambda match: values.get(match.group(1), match.group(0)), body
    )


def render(*, macro: Macro, case: Case) -> str:
    """``macro``'s text for ``case``, in the customer's language (the
    English when there is no Japanese). Known placeholders are filled; any
    other text in braces is left exactly as written."""
    return _fill(macro, language=customer_language(case), values=values_for(case))


def macros_for(case: Case) -> list[RenderedMacro]:
    """Every active macro rendered for ``case``: two queries (the parcel
    and the macros), however many macros there are."""
    language, values = customer_language(case), values_for(case)
    return [
        RenderedMacro(macro=macro, text=_fill(macro, language=language, values=values))
        for macro in Macro.objects.filter(is_active=True)
    ]
