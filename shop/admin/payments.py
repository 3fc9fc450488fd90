"""Staff screens for an order's money at the payment provider: its payments
with their provider ids (linked to Stripe's dashboard), and the provider's
webhook events as they were received.

All of it is read-only: payments, refunds and events are written by
``shop.services`` from the provider's word, never typed in by staff.
"""

from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from shop.models import Order, Payment, PaymentEvent
from shop.payments import StripeProvider
from shop.pricing import format_money

from .inlines import ReadOnlyInline

# The key's prefix says which of Stripe's two worlds the account is in: test
# payments are under /test/ on the dashboard (secret and restricted keys).
_TEST_KEY_PREFIXES = ("sk_test_", "rk_test_")


def dashboard_url(payment: Payment) -> str:
    """Where staff see ``payment`` on the provider's dashboard: Stripe's page
    for its PaymentIntent, in test mode with a test key. Empty for other
    providers (the test provider, store credit) and for a payment not paid
    yet (Stripe has no PaymentIntent to show until then)."""
    if payment.provider != StripeProvider.name or not payment.reference:
        return ""
    mode = "test/" if settings.STRIPE_SECRET_KEY.startswith(_TEST_KEY_PREFIXES) else ""
    return f"https://dashboard.stripe.com/{mode}payments/{payment.reference}"


def _linked(text: str, url: str) -> SafeString | str:
    if not text:
        return "—"
    if not url:
        return text
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', url, text
    )


class PaymentInline(ReadOnlyInline):
    """Each tender of the order as the provider settled it. Staff cannot
    add, change or delete one: a payment moves only on the provider's word
    (``shop.services.payments``)."""

    model = Payment
    fields = [
        "provider",
        "status",
        "amount_display",
        "card_last4",
        "session",
        "payment_reference",
        "created_at",
        "settled_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("amount"))
    def amount_display(self, payment: Payment) -> str:
        return format_money(payment.amount, payment.currency)

    @admin.display(description=_("checkout session"))
    def session(self, payment: Payment) -> str:
        # Stripe's dashboard shows a session's payment; linked once paid.
        return _linked(payment.session_id, dashboard_url(payment))

    @admin.display(description=_("provider reference"))
    def payment_reference(self, payment: Payment) -> str:
        if payment.provider == Payment.STORE_CREDIT:
            return payment.reference or "—"
        return _linked(payment.reference or "", dashboard_url(payment))


def order_payment_events(order: Order) -> SafeString | str:
    """The provider's events about ``order``'s payments, oldest first, each
    linked to its own page: one query, however many there are."""
    events = PaymentEvent.objects.filter(payment__order=order).order_by(
        "received_at", "pk"
    )
    rows = format_html_join(
        "",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                reverse("admin:shop_paymentevent_change", args=[event.pk]),
                event.event_id,
                event.type,
                event.outcome or "—",
                formats.localize(timezone.localtime(event.received_at)),
            )
            for event in events
        ),
    )
    if not rows:
        return _("None received")
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
        "</thead><tbody>{}</tbody></table>",
        _("event id"),
        _("type"),
        _("outcome"),
        _("received at"),
        rows,
    )


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin):
    """The provider's webhook events, as received and acted on: looked up by
    the id the provider's dashboard shows when an order's payment is in
    question. Read-only: an event is the provider's, recorded once."""

    list_display = [
        "event_id",
        "provider",
        "type",
        "outcome",
        "order_link",
        "received_at",
    ]
    list_filter = ["provider", "type"]
    list_select_related = ["payment"]
    search_fields = ["=event_id"]
    date_hierarchy = "received_at"
    fields = ["event_id", "provider", "type", "outcome", "order_link", "received_at"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("payment")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("order"))
    def order_link(self, event: PaymentEvent) -> str:
        if event.payment is None:
            return "—"  # none of ours: an event for another system's session
        order_id = event.payment.order_id
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:shop_order_change", args=[order_id]),
            _("Order %(number)s") % {"number": Order(pk=order_id).number},
        )
