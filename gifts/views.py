"""Gift pages: buying from a list, gifts received and sent, the gift receipt."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import submissions
from core.views import flash_form_errors, selected_or_404
from gifts import selectors, services
from gifts.forms import GiftCheckoutForm, ReturnForm, ThankYouForm
from gifts.models import Gift, GiftLine
from shop import selectors as shop_selectors
from shop import services as shop_services
from shop.exceptions import CartChanged, ShopError
from shop.forms import QuantityForm
from shop.models import Cart, Shipment
from shop.views.payment import allow_payment_page, go_pay
from wishlist.exceptions import AlreadyBought
from wishlist.models import WishList, WishListItem
from wishlist.selectors import list_item_for_giver, shared_list


def _giveable_list(request: HttpRequest, token: str) -> WishList:
    return selected_or_404(WishList, shared_list, token=token, viewer=request.user)


@login_required
def buy_as_gift(request: HttpRequest, token: str, item_id: int) -> HttpResponse:
    item = selected_or_404(
        (WishList, WishListItem),
        list_item_for_giver,
        token=token,
        item_id=item_id,
        viewer=request.user,
    )
    wishlist = item.wishlist
    if request.method != "POST":
        # A giver who was asked to log in comes back here with a GET: back
        # to the list to choose again (a GET never fills a cart), not a 405.
        return redirect(wishlist.get_share_url())
    form = QuantityForm(request.POST)
    if not form.is_valid():
        for error in form.errors["quantity"]:
            messages.error(request, error)
        return redirect(wishlist.get_share_url())
    try:
        services.add_gift_to_cart(
            giver=request.user,
            item=item,
            quantity=form.cleaned_data["quantity"],
            submission_key=submissions.key_from(request.POST),
        )
    except ShopError as error:
        messages.error(request, error.message)
        return redirect(wishlist.get_share_url())
    return redirect("gifts:checkout", token=wishlist.share_token)


def _gift_cart(request: HttpRequest, wishlist: WishList) -> Cart | None:
    return Cart.objects.filter(
        owner=request.user,
        status=Cart.Status.OPEN,
        purpose=services.gift_cart_purpose(wishlist=wishlist),
    ).first()


@login_required
def checkout(request: HttpRequest, token: str) -> HttpResponse:
    """Pay for a gift: message, what to disclose, payment. The recipient's
    address is never on this page: only their name and region."""
    wishlist = _giveable_list(request, token)
    cart = None
    if request.method == "POST":
        cart = Cart.objects.filter(
            pk=request.POST.get("cart") or 0,
            owner=request.user,
            purpose=services.gift_cart_purpose(wishlist=wishlist),
        ).first()
        if cart is not None and cart.status == Cart.Status.ORDERED:
            order = cart.order
            if not order.is_paid:
                # Awaiting payment: back to the provider's page. Cancelled
                # unpaid: to the order, which says so (never "on its way").
                return go_pay(request, order)
            messages.info(request, _("This gift is already on its way."))
            return redirect("gifts:sent")
    cart = cart or _gift_cart(request, wishlist)
    lines, totals = shop_services.quote(cart=cart) if cart else ([], None)
    if not lines:
        messages.info(request, _("Choose something from the list first."))
        return redirect(wishlist.get_share_url())
    shop_selectors.with_photos(line.product for line in lines)
    form = GiftCheckoutForm(
        request.POST or None,
        initial={"cart": cart.pk, "expected_total": totals.total},
    )
    over_gift = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            gift = services.place_gift_order(
                giver=request.user,
                wishlist=wishlist,
                cart=cart,
                expected_total=data["expected_total"],
                message=data["message"],
                shows_giver_name=data["shows_giver_name"],
                discloses_address=data["discloses_address"],
                use_store_credit=data["use_store_credit"],
                allow_over_gift=data["allow_over_gift"],
            )
        except AlreadyBought as error:
            over_gift = error
            # Ask again, keeping what they typed, with the confirmation set.
            shown = "yes" if data["shows_giver_name"] else "no"
            form = GiftCheckoutForm(
                initial={**data, "allow_over_gift": True, "shows_giver_name": shown}
            )
        except CartChanged as error:
            messages.warning(request, error.message)
            return redirect("gifts:checkout", token=token)
        except ShopError as error:
            form.add_error(None, error.message)
        else:
            return go_pay(request, gift.order)
    response = render(
        request,
        "gifts/checkout.html",
        {
            "wishlist": wishlist,
            "form": form,
            "lines": lines,
            "totals": totals,
            "over_gift": over_gift,
            "recipient_region": wishlist.address.region_display
            if wishlist.address
            else "",
            "store_credit": shop_selectors.store_credit_balance(user=request.user),
        },
    )
    return allow_payment_page(response)


@login_required
@require_POST
def remove_from_gift_cart(
    request: HttpRequest, token: str, product_id: int
) -> HttpResponse:
    wishlist = _giveable_list(request, token)
    cart = _gift_cart(request, wishlist)
    if cart is not None:
        shop_services.remove_from_cart(cart=cart, product_id=product_id)
    return redirect("gifts:checkout", token=token)


@login_required
def received(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "gifts/received.html",
        {"gifts": selectors.gifts_received(recipient=request.user)},
    )


def _received_gift(request: HttpRequest, pk: int) -> Gift:
    return selected_or_404(
        Gift, selectors.gift_for_recipient, recipient=request.user, pk=pk
    )


@login_required
def received_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A revealed gift whole; a surprise only as ``selectors.Surprise``."""
    gift = selected_or_404(Gift, selectors.received_gift, recipient=request.user, pk=pk)
    lines = (
        []
        if gift.is_surprise
        else [
            (line, selectors.returnable_quantity(gift_line=line))
            for line in gift.lines.all()
        ]
    )
    return render(
        request,
        "gifts/received_detail.html",
        {
            "gift": gift,
            "lines": lines,
            "thank_you_form": None
            if gift.is_surprise
            else ThankYouForm(
                address_sharing=selectors.address_sharing(
                    gift=gift, viewer=request.user
                )
            ),
            "action_templates": settings.GIFT_ACTION_TEMPLATES,
            "return_days": settings.GIFT_RETURN_DAYS,
            "return_window": (
                None if gift.is_surprise else selectors.gift_return_window(gift)
            ),
            "thank_you_days": settings.GIFT_THANK_YOU_DAYS,
        },
    )


@login_required
@require_POST
def thank(request: HttpRequest, pk: int) -> HttpResponse:
    gift = _received_gift(request, pk)
    form = ThankYouForm(request.POST)
    if form.is_valid():
        try:
            services.send_thank_you(
                gift=gift, recipient=request.user, note=form.cleaned_data["note"]
            )
        except ShopError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your note is on its way to them."))
    else:
        messages.error(request, _("Write a few words to send."))
    return redirect(gift)


@login_required
@require_POST
def request_return(request: HttpRequest, pk: int) -> HttpResponse:
    gift = _received_gift(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(gift)
    line = get_object_or_404(GiftLine, pk=form.cleaned_data["line"], gift=gift)
    try:
        services.request_return(
            gift_line=line,
            recipient=request.user,
            kind=form.cleaned_data["kind"],
            quantity=form.cleaned_data["quantity"],
            reason=form.cleaned_data["reason"],
            submission_key=submissions.key_from(request.POST),
        )
    except ShopError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Return requested. Send it back with the reference below; your "
                "store credit arrives when we receive it."
            ),
        )
    return redirect(gift)


@login_required
def sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "gifts/sent.html",
        {
            "gifts": selectors.gifts_sent(giver=request.user),
            "unsent": selectors.unsent_gifts(giver=request.user),
        },
    )


@login_required
def slip(request: HttpRequest, shipment_id: int) -> HttpResponse:
    """Gift receipt / packing slip: no prices; the shop's return address.

    For staff who pack, and for the recipient. The giver never sees it: it
    names where the parcel goes.
    """
    shipment = get_object_or_404(
        Shipment.objects.select_related("order__gift").prefetch_related(
            "lines__order_line"
        ),
        pk=shipment_id,
        order__gift__isnull=False,
    )
    gift = shipment.order.gift
    is_packer = request.user.has_perm("shop.view_order")
    is_recipient = request.user.pk == gift.recipient_id
    if not is_packer and not (
        is_recipient and selectors.is_revealed_to_recipient(gift)
    ):
        raise Http404
    return render(
        request,
        "gifts/slip.html",
        {"shipment": shipment, "gift": gift, "for_packer": is_packer},
    )
