"""The customer's side of support: get help, see the case, write on it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callbacks import hours
from callbacks.exceptions import CallbackError
from core import submissions
from core.views import selected_or_404
from shop.exceptions import ShopError
from shop.models import Order
from support import calls, selectors, services
from support.exceptions import NotYourLine
from support.forms import CallForm, FileCaseForm, MessageForm
from support.models import Case


@login_required
def help_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "support/help.html",
        {
            "orders": selectors.recent_orders(customer=request.user),
            "gifts": selectors.recent_gifts(customer=request.user),
            "cases": selectors.cases_for_customer(customer=request.user, limit=20),
        },
    )


@login_required
def get_help(request: HttpRequest, order_id: int) -> HttpResponse:
    """File a case about an order: what the customer may report is
    ``selectors.help_choices``; filing and its decision are the service's."""
    order = selected_or_404(
        Order, selectors.order_for_help, customer=request.user, pk=order_id
    )
    choices = selected_or_404(
        Order,
        selectors.help_choices,
        customer=request.user,
        order=order,
        shipment=request.GET.get("shipment"),
    )
    form = FileCaseForm(
        request.POST or None,
        lines=choices.lines,
        problems=choices.problems,
        initial={"line": request.GET.get("line"), "phone": request.user.phone or None},
        line_open=hours.is_open(),
        opens=hours.next_opening_display(),
    )
    key = submissions.key_from(request.POST)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wants_call = data["contact"] != Case.Contact.MESSAGE
        try:
            filing = services.file_or_find_case(
                customer=request.user,
                order_line=data["line"],
                problem=data["problem"],
                description=data["description"],
                contact=data["contact"],
                quantity=data["quantity"],
                remedy=data["remedy"],
                submission_key=key,
                call_to=data["phone"] if wants_call else None,
                language=get_language() or "en",
            )
        except NotYourLine:
            raise Http404 from None
        except ShopError as error:
            form.add_error(None, error.message)
        else:
            # The same form again goes quietly where the first one went.
            if filing.outcome == services.Filing.Outcome.ALREADY_OPEN:
                messages.info(
                    request, _("You already have an open case about this: here it is.")
                )
            elif filing.call_refused:
                _call_refused(request, filing.call_refused)
            return redirect(filing.case)
    return render(
        request,
        "support/get_help.html",
        {
            "order": order,
            "form": form,
            "is_giver": choices.is_giver,
            # Fixing an error and sending again is still the same submission.
            "submission_key": key if request.method == "POST" else "",
        },
    )


def _customer_case(request: HttpRequest, pk: int, *, timeline: bool = False) -> Case:
    return selected_or_404(
        Case,
        selectors.case_for_customer,
        customer=request.user,
        pk=pk,
        timeline=timeline,
    )


def _ask_for_call(
    request: HttpRequest, case: Case, number, *, later: bool, submission_key: str
) -> None:
    """Schedule the call; a refusal is a message on the case, never a lost case."""
    try:
        services.ask_for_call(
            case=case,
            customer=request.user,
            number=number,
            later=later,
            language=get_language() or "en",
            submission_key=submission_key,
        )
    except (CallbackError, ShopError) as error:
        _call_refused(request, error.message)


def _call_refused(request: HttpRequest, reason: str) -> None:
    messages.warning(
        request, _("We couldn't arrange the call: %(reason)s") % {"reason": reason}
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _customer_case(request, pk, timeline=True)
    call = calls.latest_call(case)
    return render(
        request,
        "support/case.html",
        {
            "case": case,
            "form": MessageForm(),
            "call": call,
            "call_form": CallForm(initial={"phone": request.user.phone or None}),
            "line_open": hours.is_open(),
            "opens": hours.next_opening_display(),
        },
    )


@login_required
def call_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The case's call as the page polls it: state, label, and when."""
    case = _customer_case(request, pk)
    call = calls.latest_call(case)
    if call is None:
        return JsonResponse({"state": None})
    return JsonResponse(
        {
            "state": call.state,
            "label": call.get_state_display(),
            "due_at": call.due_at.isoformat(),
            "attempts": call.attempts,
            "active": call.is_active,
            "changeable": call.state == call.State.SCHEDULED,
        }
    )


@login_required
@require_POST
def call(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a call, or switch between now and in 5 minutes."""
    case = _customer_case(request, pk)
    form = CallForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the number we should call."))
        return redirect(case)
    _ask_for_call(
        request,
        case,
        form.cleaned_data["phone"],
        later=form.cleaned_data["when"] == "later",
        submission_key=submissions.key_from(request.POST),
    )
    return redirect(case)


@login_required
@require_POST
def cancel_call(request: HttpRequest, pk: int) -> HttpResponse:
    case = _customer_case(request, pk)
    try:
        cancelled = services.cancel_call(
            case=case,
            customer=request.user,
            submission_key=submissions.key_from(request.POST),
        )
    except (CallbackError, ShopError) as error:
        messages.error(request, error.message)
    else:
        if cancelled is None:
            messages.info(request, _("No call is booked."))
        else:
            messages.success(request, _("Call cancelled."))
    return redirect(case)


@login_required
@require_POST
def case_message(request: HttpRequest, pk: int) -> HttpResponse:
    case = _customer_case(request, pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a message of up to 5,000 characters."))
        return redirect(case)
    try:
        services.post_customer_message(
            case=case,
            customer=request.user,
            body=form.cleaned_data["body"],
            submission_key=submissions.key_from(request.POST),
        )
    except ShopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sent. We'll reply here and by email."))
    return redirect(case)
