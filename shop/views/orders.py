"""The buyer's order history. Orders are looked up through their buyer."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.views import selected_or_404
from shop import selectors
from shop.models import Order
from shop.views.payment import allow_payment_page


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(
        selectors.orders_for_buyer(buyer=request.user), settings.SHOP_ORDERS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "shop/order_list.html", {"page": page})


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selected_or_404(Order, selectors.order_for_buyer, buyer=request.user, pk=pk)
    response = render(
        request,
        "shop/order_detail.html",
        {
            "order": order,
            "destination": order.buyer_destination(),
            "action_templates": settings.SHOP_ORDER_ACTION_TEMPLATES,
            "section_templates": settings.SHOP_ORDER_SECTION_TEMPLATES,
        },
    )
    if order.status == Order.Status.AWAITING_PAYMENT:
        # Its "Pay now" leads to the provider's page.
        return allow_payment_page(response)
    return response
