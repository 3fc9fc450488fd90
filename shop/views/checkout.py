"""Checkout: pick an address, see the summary, pay."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shop import services
from shop.carts import current_cart
from shop.exceptions import CartChanged, ShopError
from shop.forms import CheckoutForm


@login_required
def checkout(request: HttpRequest) -> HttpResponse:
    cart = current_cart(request)
    lines, totals = services.quote(cart=cart) if cart else ([], None)
    if not lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("shop:cart")
    default_address = request.user.addresses.filter(is_default=True).first()
    form = CheckoutForm(
        request.POST or None,
        user=request.user,
        initial={"address": default_address, "expected_total": totals.total},
    )
    if request.method == "POST" and form.is_valid():
        try:
            order = services.place_order(
                cart=cart,
                buyer=request.user,
                destination=services.Destination(address=form.cleaned_data["address"]),
                card_number=form.cleaned_data["card_number"],
                expected_total=form.cleaned_data["expected_total"],
            )
        except CartChanged as error:
            messages.warning(request, error.message)
            return redirect("shop:checkout")
        except ShopError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Thank you! Your order %(number)s is placed.")
                % {"number": order.number},
            )
            return redirect(order)
    return render(
        request,
        "shop/checkout.html",
        {
            "form": form,
            "lines": lines,
            "totals": totals,
            "has_addresses": request.user.addresses.exists(),
        },
    )
