"""Checkout: pick an address, see the summary, pay."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shop import selectors, services
from shop.carts import current_cart
from shop.exceptions import CartChanged, ShopError
from shop.forms import CheckoutForm
from shop.models import Cart, CartLine, Order
from shop.views.payment import allow_payment_page, go_pay


def _posted_cart(request: HttpRequest) -> tuple[Cart | None, list[CartLine] | None]:
    """The cart the checkout form was rendered for, if it is the user's, and
    its lines.

    Posting the cart's id (not "whatever cart is open now") is what lets a
    second tab or a resubmitted form find the order the first one placed.
    """
    try:
        cart_id = int(request.POST.get("cart", ""))
    except ValueError:
        return None, None
    return services.checkout_cart(cart_id=cart_id, buyer=request.user)


@login_required
def checkout(request: HttpRequest) -> HttpResponse:
    cart, lines = _posted_cart(request) if request.method == "POST" else (None, None)
    if cart is not None and cart.status == Cart.Status.ORDERED:
        order = Order.objects.get(cart=cart)
        if order.status == Order.Status.AWAITING_PAYMENT:
            return go_pay(request, order)
        if order.is_paid:
            messages.info(request, _("This order is already placed."))
        # A cancelled one: its page says why.
        return redirect(order)
    if cart is None:
        cart, lines = current_cart(request), None
    if cart is None:
        # The cart page says it is empty; a message would say it twice.
        return redirect("shop:cart")
    form = CheckoutForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # place_order checks the lines (an empty cart raises EmptyCart): a
        # valid POST, the busy path, reads the cart and its lines only once.
        try:
            order = services.place_order(
                cart=cart,
                lines=lines,
                buyer=request.user,
                destination=services.Destination(address=form.cleaned_data["address"]),
                use_store_credit=form.cleaned_data["use_store_credit"],
                expected_total=form.cleaned_data["expected_total"],
            )
        except CartChanged as error:
            messages.warning(request, error.message)
            return redirect("shop:checkout")
        except ShopError as error:
            form.add_error(None, error.message)
        else:
            return go_pay(request, order)
    lines, totals = services.quote(cart=cart)
    if not lines:
        return redirect("shop:cart")
    selectors.with_photos(line.product for line in lines)
    form.initial = {
        "cart": cart.pk,
        "address": request.user.addresses.filter(is_default=True).first(),
        "expected_total": totals.total,
    }
    response = render(
        request,
        "shop/checkout.html",
        {
            "form": form,
            "lines": lines,
            "totals": totals,
            "has_addresses": request.user.addresses.exists(),
            "store_credit": selectors.store_credit_balance(user=request.user),
        },
    )
    return allow_payment_page(response)
