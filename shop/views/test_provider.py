"""The test provider's hosted payment page: where run mode and the tests
pay, as customers pay on Stripe's. It belongs to the stand-in provider, not
to the shop: the shop only sends the buyer here and hears back by event."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_protect

from shop import payments
from shop.exceptions import PaymentError
from shop.models import TestProviderSession


@csrf_protect
def checkout_page(request: HttpRequest, session_id: str) -> HttpResponse:
    provider = payments.get_provider("test")
    try:
        session = provider.page(session_id)
    except TestProviderSession.DoesNotExist:
        raise Http404 from None
    error = ""
    if request.method == "POST" and session.status == session.Status.OPEN:
        try:
            provider.pay(session_id, request.POST.get("card_number", ""))
        except PaymentError as refused:
            error = refused.message
        session.refresh_from_db()
    if session.status == session.Status.COMPLETE:
        return redirect(session.success_url)
    return render(
        request,
        "shop/test_provider_page.html",
        {"session": session, "error": error},
        status=200 if session.status == session.Status.OPEN else 410,
    )
