"""Closing an account: the customer's own (re-authenticated, confirmed),
and staff's on a customer's written request. Thin: the rules are in
``privacy.services`` and ``privacy.closure``."""

import logging

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import submissions
from privacy import closure, services
from privacy.forms_closure import ConfirmClosureForm, FindCustomerForm, StaffClosureForm
from shop.models import User

logger = logging.getLogger(__name__)


def _close(request: HttpRequest, *, customer: User, reason: str, key: str):
    """Close the account; returns the request, or raises ``ClosureRefused``.
    A step that fails (the payment provider down, a call ringing) is left to
    the sweep (``privacy.tasks.finish_pending_closures``), which resumes it
    there: the closure has begun and will finish."""
    try:
        return services.close_account(
            user=customer,
            requested_by=request.user,
            reason=reason,
            submission_key=key,
        )
    except closure.ClosureRefused:
        raise
    except Exception:
        logger.exception(
            "Closure of user %s stopped; the sweep resumes it", customer.pk
        )
        pending = services.pending_closure(customer)
        if pending is None:
            raise
        return pending


@login_required
@reauthentication_required
def _confirm(request: HttpRequest) -> HttpResponse:
    form = ConfirmClosureForm(request.POST if request.method == "POST" else None)
    key = submissions.key_from(request.POST)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            _close(request, customer=request.user, reason="", key=key)
        except closure.ClosureRefused as refused:
            error = refused.message
        else:
            logout(request)
            return redirect("privacy:closed")
    return render(
        request,
        "privacy/close_account.html",
        {
            "form": form,
            "outcomes": closure.outcomes(user=request.user),
            "error": error,
            "submission_key": submissions.new_key(),
            "bookkeeping_years": settings.SHOP_BOOKKEEPING_YEARS,
        },
    )


def close_account(request: HttpRequest) -> HttpResponse:
    """The customer closes their account, after signing in again and
    ticking that they understand what the page says will happen to their
    orders, cases, call, store credit and lists.

    The twin of a confirmation (a double click) arrives signed out, the
    first having closed the account: it is recognised by its submission key
    and shown the same page."""
    if request.method == "POST" and not request.user.is_authenticated:
        key = submissions.key_from(request.POST)
        if services.closure_by_submission(key) is not None:
            return redirect("privacy:closed")
    return _confirm(request)


def closed(request: HttpRequest) -> HttpResponse:
    """Said to whoever has just closed their account (and to anyone who
    comes here: it names no one)."""
    return render(request, "privacy/closed.html")


@staff_member_required
def staff_find_customer(request: HttpRequest) -> HttpResponse:
    """Staff with the permission find the customer whose written request
    they act on, by email."""
    if not request.user.has_perm("privacy.close_account"):
        raise PermissionDenied
    form = FindCustomerForm(request.GET or None)
    if form.is_valid():
        customer = User.objects.filter(
            email__iexact=form.cleaned_data["email"], is_staff=False
        ).first()
        if customer is not None:
            return redirect("privacy_staff:close", user_id=customer.pk)
        form.add_error("email", _("No customer has this email address."))
    return render(request, "privacy/staff_find.html", {"form": form})


@staff_member_required
def staff_close(request: HttpRequest, user_id: int) -> HttpResponse:
    """Staff close a customer's account on their written request; the
    reason is required, and the page lists the customer's requests (the
    audit trail: who, when, why, what came of it)."""
    if not request.user.has_perm("privacy.close_account"):
        raise PermissionDenied
    customer = get_object_or_404(User, pk=user_id, is_staff=False)
    form = StaffClosureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _close(
                request,
                customer=customer,
                reason=form.cleaned_data["reason"],
                key=submissions.key_from(request.POST),
            )
        except closure.ClosureRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The account is closed."))
        return redirect("privacy_staff:close", user_id=customer.pk)
    return render(
        request,
        "privacy/staff_close.html",
        {
            "customer": customer,
            "form": form,
            "outcomes": closure.outcomes(user=customer),
            "requests": customer.data_requests.select_related("requested_by"),
            "submission_key": submissions.new_key(),
            "bookkeeping_years": settings.SHOP_BOOKKEEPING_YEARS,
        },
    )
