"""What we hold about a customer, as a ZIP they can keep: ``data.json``
(machine-readable; its keys are documented in docs/privacy.md) and
``index.html`` (the same, readable, in their language, with no external
asset).

The export shows the customer exactly what the pages show them, read through
the same selectors, and nothing more about anyone else: a gift's recipient
is named as the giver's pages name them (never where it ships:
``Order.buyer_destination``), a giver as the recipient's pages do (``Gift.
sender_label``; their address only when they shared it), a surprise stays a
surprise, a case shows its public timeline with "Hoshii support" for the
agents, and calls their times, outcome and the number the customer gave.

Dates are ISO 8601 in UTC; amounts are integers in the currency's minor unit
(yen have none: 1500 is ¥1,500), each with its currency.
"""

import io
import json
import zipfile

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation

from gifts import selectors as gift_selectors
from shop import selectors as shop_selectors
from shop.addresses import PostalAddress, one_line
from shop.models import StoreCreditEntry, User
from support import calls as support_calls
from support import selectors as support_selectors
from wishlist import selectors as wishlist_selectors

FORMAT_VERSION = 1


def _money(amount: int, currency: str) -> dict:
    return {"amount": amount, "currency": currency}


def _address(postal: PostalAddress) -> dict:
    return {
        "name": postal.name,
        "country": postal.country,
        "postal_code": postal.postal_code,
        "region": postal.region,
        "city": postal.city,
        "line1": postal.line1,
        "line2": postal.line2,
        "one_line": one_line(postal),
    }


def _phone(number) -> str:
    return str(number) if number else ""


def _profile(user: User) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "phone": _phone(user.phone),
        "language": user.language,
        "joined_at": user.date_joined,
        "last_login_at": user.last_login,
    }


def _addresses(user: User) -> list[dict]:
    return [
        {
            **_address(address.postal),
            "phone": _phone(address.phone),
            "is_default": address.is_default,
            "added_at": address.created_at,
        }
        for address in shop_selectors.address_book(user=user)
    ]


def _destination(order) -> dict:
    """Where an order ships, as much as its buyer may see
    (``Order.buyer_destination``): a hidden address is a name and a region."""
    seen = order.buyer_destination()
    if seen["hidden"]:
        return {
            "hidden_from_you": True,
            "name": seen["name"],
            "region": seen["region"],
            "country": seen["country"],
        }
    return {
        "hidden_from_you": False,
        **_address(seen["address"]),
        "phone": _phone(seen["phone"]),
    }


def _orders(user: User) -> list[dict]:
    orders = []
    for listed in shop_selectors.orders_for_buyer(buyer=user):
        # The order's own page: its parcels too.
        order = shop_selectors.order_for_buyer(buyer=user, pk=listed.pk)
        gift = gift_selectors.sent_gift_for_order(order=order, giver=user)
        orders.append(
            {
                "number": order.number,
                "status": order.status,
                "status_display": order.get_status_display(),
                "placed_at": order.placed_at,
                "email": order.email,
                "subtotal": _money(order.subtotal, order.currency),
                "shipping_fee": _money(order.shipping_fee, order.currency),
                "total": _money(order.total, order.currency),
                "ships_to": _destination(order),
                "gift": None
                if gift is None
                else {
                    "for": gift.recipient_name,
                    "message": gift.message,
                    "sender_choice": gift.sender_choice,
                    "address_sharing": gift.address_sharing,
                },
                "lines": [
                    {
                        "sku": line.sku,
                        "name": line.display_name,
                        "quantity": line.quantity,
                        "unit_price": _money(line.unit_price, order.currency),
                    }
                    for line in order.lines.all()
                ],
                "shipments": [
                    {
                        "status": shipment.status,
                        "status_display": shipment.get_status_display(),
                        "carrier": shipment.carrier,
                        "tracking_number": shipment.tracking_number,
                        "shipped_at": shipment.shipped_at,
                        "delivered_at": shipment.delivered_at,
                    }
                    for shipment in order.shipments.all()
                ],
            }
        )
    return orders


def _gifts_sent(user: User) -> list[dict]:
    return [
        {
            "order_number": gift.order.number,
            "for": gift.wishlist.owner.name_in_sentence,
            "list": gift.wishlist.title,
            "sent_at": gift.created_at,
            "status_display": gift.order.get_status_display(),
            "message": gift.message,
            "sender_choice": gift_selectors.sender_choice(gift),
            "address_sharing": gift_selectors.address_sharing(gift=gift, viewer=user),
            # The giver's own address, as they shared it with this gift.
            "your_address_shared": gift.giver_address if gift.discloses_address else "",
            "items": [
                {
                    "name": line.order_line.display_name,
                    "quantity": line.order_line.quantity,
                }
                for line in gift.lines.all()
            ],
            "thank_you_note": gift.thank_you_note,
            "thanked_at": gift.thanked_at,
        }
        for gift in gift_selectors.gifts_sent(giver=user)
    ]


def _gifts_received(user: User) -> list[dict]:
    received = []
    for gift in gift_selectors.gifts_received(recipient=user):
        if gift.is_surprise:
            # All the recipient may know yet (``gifts.selectors.Surprise``).
            received.append(
                {
                    "surprise": True,
                    "list": gift.list_title,
                    "status_display": gift.status_display,
                    "received_at": gift.created_at,
                }
            )
            continue
        received.append(
            {
                "surprise": False,
                "list": gift.wishlist.title,
                "from": gift.sender_label,
                "from_address": gift.giver_address if gift.discloses_address else "",
                "received_at": gift.created_at,
                "status_display": gift.order.get_status_display(),
                "message": gift.message,
                "items": [
                    {
                        "name": line.order_line.display_name,
                        "quantity": line.order_line.quantity,
                        "returns": [
                            {
                                "reference": f"R-{gift_return.pk}",
                                "kind_display": gift_return.get_kind_display(),
                                "quantity": gift_return.quantity,
                                "status_display": gift_return.get_status_display(),
                                "requested_at": gift_return.created_at,
                            }
                            for gift_return in line.returns.all()
                        ],
                    }
                    for line in gift.lines.all()
                ],
                "thank_you_note": gift.thank_you_note,
                "thanked_at": gift.thanked_at,
            }
        )
    return received


def _wish_lists(user: User) -> list[dict]:
    lists = []
    for wishlist in wishlist_selectors.lists_for_owner(owner=user).select_related(
        "address"
    ):
        # The owner sees what was bought only once the list is revealed.
        purchases = wishlist_selectors.shows_purchases(wishlist=wishlist, viewer=user)
        lists.append(
            {
                "title": wishlist.title,
                "description": wishlist.description,
                "occasion_display": wishlist.get_occasion_display(),
                "date": wishlist.occasion_date,
                "visibility_display": wishlist.get_visibility_display(),
                "created_at": wishlist.created_at,
                "ships_to": _address(wishlist.address.postal)
                if wishlist.address_id
                else None,
                "items": [
                    {
                        "name": item.product.display_name,
                        "sku": item.product.sku,
                        "wanted": item.desired_quantity,
                        "bought": item.purchased_quantity if purchases else None,
                        "priority_display": item.get_priority_display(),
                        "note": item.note,
                    }
                    for item in wishlist_selectors.manage_items(wishlist=wishlist)
                ],
            }
        )
    return lists


def _cases(user: User) -> list[dict]:
    cases = []
    for listed in support_selectors.cases_for_customer(customer=user, limit=None):
        case = support_selectors.case_for_customer(customer=user, pk=listed.pk)
        cases.append(
            {
                "number": case.pk,
                "order_number": case.order.number,
                "item": case.order_line.display_name,
                "quantity": case.quantity,
                "problem_display": case.get_problem_display(),
                "description": case.description,
                "status_display": case.get_status_display(),
                "filed_at": case.created_at,
                "resolved_at": case.resolved_at,
                # The public timeline, as the case page shows it: agents are
                # "Hoshii support", never a name.
                "timeline": [
                    {
                        "at": event.created_at,
                        "kind_display": event.get_kind_display(),
                        "text": event.text,
                    }
                    for event in case.public_events
                ],
                "calls": [
                    {
                        "requested_at": call.requested_at,
                        "due_at": call.due_at,
                        "ended_at": call.ended_at,
                        "outcome": call.state,
                        "outcome_display": call.get_state_display(),
                        "number": _phone(call.number),
                    }
                    for call in support_calls.calls_for(case).order_by(
                        "requested_at", "pk"
                    )
                ],
            }
        )
    return cases


def _store_credit(user: User) -> dict:
    currency = settings.SHOP_CURRENCY
    entries = StoreCreditEntry.objects.filter(account__user=user).select_related(
        "order"
    )
    return {
        "balance": _money(shop_selectors.store_credit_balance(user=user), currency),
        "entries": [
            {
                "at": entry.created_at,
                "kind_display": entry.get_kind_display(),
                "amount": _money(entry.amount, currency),
                "reason": entry.reason,
                # A returned gift's credit hangs off the giver's order: its
                # number is theirs, not the recipient's to see.
                "order_number": entry.order.number
                if entry.order is not None and entry.order.buyer_id == user.pk
                else "",
            }
            for entry in entries
        ],
    }


def collect(user: User) -> dict:
    """Everything the export holds about ``user``, as JSON-ready data,
    written in the language in force (labels such as ``status_display``)."""
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "profile": _profile(user),
        "addresses": _addresses(user),
        "orders": _orders(user),
        "gifts_sent": _gifts_sent(user),
        "gifts_received": _gifts_received(user),
        "wish_lists": _wish_lists(user),
        "cases": _cases(user),
        "store_credit": _store_credit(user),
    }


def build_zip(user: User) -> bytes:
    """The ZIP of ``user``'s data, in their language."""
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        data = collect(user)
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        # The page is drawn from the very data data.json holds: it cannot
        # show anything the JSON leaves out.
        html = render_to_string(
            "privacy/export/index.html",
            {"data": data, "language": language, "site_name": settings.SITE_NAME},
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", text)
        archive.writestr("index.html", html)
    return buffer.getvalue()
