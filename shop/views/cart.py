"""The cart: add, change quantity, remove, view."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import submissions
from core.fragments import render_fragments
from core.views import flash_form_errors
from shop import selectors, services
from shop.cards import cart_line
from shop.carts import add_to_current_cart, current_cart, current_cart_lines
from shop.exceptions import ProductUnavailable, ShopError
from shop.forms import CartLineForm, QuantityForm
from shop.models import Product
from shop.pricing import totals_for


def cart_detail(request: HttpRequest) -> HttpResponse:
    lines = current_cart_lines(request)
    totals = totals_for(sum(line.subtotal for line in lines))
    # The lines are most of the page's rendering: each cached, keyed on all
    # it shows, with each request's own CSRF token in its forms. After an
    # add only the new line is rendered (and its photo read).
    line_rows = render_fragments(
        request,
        "shop/includes/cart_line.html",
        lines,
        name="line",
        shown=cart_line,
        prepare=selectors.with_named_photos,
    )
    return render(
        request,
        "shop/cart.html",
        {
            "lines": lines,
            "line_rows": line_rows,
            "totals": totals,
            # Where else to look when it is empty ("Find a wish list").
            "empty_cart_action_templates": settings.SHOP_EMPTY_CART_ACTION_TEMPLATES,
            # The header's count, from the lines at hand.
            "cart_count": sum(line.quantity for line in lines),
        },
    )


@require_POST
def cart_add(request: HttpRequest, product_id: int) -> HttpResponse:
    form = QuantityForm(request.POST)
    if form.is_valid():
        try:
            line = add_to_current_cart(
                request,
                product_id=product_id,
                quantity=form.cleaned_data["quantity"],
                submission_key=submissions.key_from(request.POST),
            )
        except ProductUnavailable:
            raise Http404 from None
        except ShopError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Added %(product)s to your cart.")
                % {"product": line.product.display_name},
            )
            return redirect("shop:cart")
    else:
        flash_form_errors(request, form)
    return redirect(get_object_or_404(Product, pk=product_id, is_active=True))


@require_POST
def cart_update(request: HttpRequest, product_id: int) -> HttpResponse:
    cart = current_cart(request)
    form = CartLineForm(request.POST)
    if cart is None:
        messages.error(request, _("Your cart is empty."))
    elif not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.set_line_quantity(
                cart=cart, product_id=product_id, quantity=form.cleaned_data["quantity"]
            )
        except ShopError as error:
            messages.error(request, error.message)
    return redirect("shop:cart")


@require_POST
def cart_remove(request: HttpRequest, product_id: int) -> HttpResponse:
    cart = current_cart(request)
    if cart is not None:
        services.remove_from_cart(cart=cart, product_id=product_id)
    return redirect("shop:cart")
