"""Paying for an order on the provider's page, and hearing back from it.

The browser is never believed about a payment: the return page asks the
provider, and the provider's signed events are what the webhook acts on.
"""

import contextlib
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.views import selected_or_404
from shop import payments, selectors, services
from shop.models import Order

logger = logging.getLogger(__name__)


def allow_payment_page(response: HttpResponse) -> HttpResponse:
    """Let a page's forms lead to the provider's hosted page: the provider's
    origins join the Content Security Policy's form-action on this response
    only (a redirect after a form post is held to the form page's policy)."""
    origins = payments.get_provider().page_origins
    if origins:
        response._csp_update = {"form-action": list(origins)}
    return response


def go_pay(request: HttpRequest, order: Order) -> HttpResponse:
    """Send the buyer to pay for ``order`` on the provider's page; or, if it
    needs no payment (store credit paid it, or it is paid already), to the
    order."""
    if order.status != Order.Status.AWAITING_PAYMENT:
        if order.is_paid:
            messages.success(
                request,
                _("Thank you! Your order %(number)s is placed.")
                % {"number": order.number},
            )
        return redirect(order)
    try:
        url = services.start_payment(order=order)
    except payments.ProviderUnavailable:
        logger.warning("Payment page for order %s could not be opened", order.pk)
        messages.warning(
            request,
            _(
                "We could not open the payment page just now. Your order is "
                "kept for you: press Pay to try again."
            ),
        )
        return redirect(order)
    if url is None:
        return redirect(order)
    return redirect(url)


@login_required
@require_POST
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    order = selected_or_404(Order, selectors.buyer_order, buyer=request.user, pk=pk)
    if order.status == Order.Status.CANCELLED:
        messages.info(request, _("This order was cancelled; it can't be paid."))
        return redirect(order)
    return go_pay(request, order)


@login_required
def payment_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the provider's page sends the buyer back: the order as the
    provider now says it stands. Placed: the order. Not yet: a page that
    looks again by itself."""
    order = selected_or_404(Order, selectors.buyer_order, buyer=request.user, pk=pk)
    # If the provider cannot be asked now, the webhook or the next look will.
    with contextlib.suppress(payments.ProviderUnavailable):
        order = services.refresh_payment(order=order)
    if order.status == Order.Status.AWAITING_PAYMENT:
        response = render(request, "shop/payment_processing.html", {"order": order})
        return allow_payment_page(response)
    if order.status == Order.Status.CANCELLED:
        messages.warning(
            request, _("The payment was not completed, so this order was cancelled.")
        )
    else:
        messages.success(
            request,
            _("Thank you! Your order %(number)s is placed.") % {"number": order.number},
        )
    return redirect(order)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The buyer gives up an order awaiting payment: the provider's page is
    closed first, and an order paid meanwhile stays placed."""
    order = selected_or_404(Order, selectors.buyer_order, buyer=request.user, pk=pk)
    try:
        order = services.close_payment(order=order, actor=request.user)
    except payments.ProviderUnavailable:
        messages.warning(
            request, _("We could not reach the payment provider; try again shortly.")
        )
        return redirect(order)
    if order.status == Order.Status.CANCELLED:
        messages.info(
            request, _("Order %(number)s is cancelled.") % {"number": order.number}
        )
    else:
        messages.info(request, _("This order was already paid, so it stays placed."))
    return redirect(order)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's event: verified by its signature (400 and nothing done
    if it is missing, forged or too old), then acted on once by its id."""
    if provider not in payments.PROVIDERS:
        return HttpResponse(status=404)
    source = payments.get_provider(provider)
    try:
        event = source.verify_event(request.body, request.headers)
    except payments.InvalidEvent as error:
        logger.warning("Refused a %s webhook: %s", provider, error)
        return HttpResponseBadRequest("invalid event")
    outcome = services.handle_event(provider_name=provider, event=event)
    return HttpResponse(outcome, content_type="text/plain")
