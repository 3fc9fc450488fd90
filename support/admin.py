"""The agents' desk: queues of cases and a case page with everything on it.

Every button on the case page calls a service in ``support.services``, which
writes the timeline; the admin only collects input and shows the result.
The page offers the buttons ``services.allowed_actions`` allows; each form
carries a submission key, so a double click acts once; reship, refund and
store credit first show what will happen and ask to confirm.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from callbacks.exceptions import ProviderError
from core import submissions
from core.text import fill
from gifts.models import Gift
from shop import selectors as shop_selectors
from shop.admin import refund_tenders
from shop.exceptions import ShopError
from shop.models import ORDER_NUMBER_OFFSET, Payment, Product, Shipment
from shop.pricing import format_money
from support import calls, macros, selectors, services, timeline
from support.desk import DeskViews
from support.models import Case, Macro


class QueueFilter(admin.SimpleListFilter):
    """The agents' queues; open cases unless another is chosen ("All
    cases" and "Resolved or closed" are choices, not the default)."""

    title = _("queue")
    parameter_name = "queue"
    DEFAULT = "open"

    def lookups(self, request, model_admin):
        return [
            ("open", _("All open")),
            ("mine", _("My open cases")),
            ("unassigned", _("Unassigned")),
            ("overdue", _("Overdue")),
            ("done", _("Resolved or closed")),
            ("all", _("All cases")),
        ]

    def value(self):
        return super().value() or self.DEFAULT

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }

    def queryset(self, request, queryset):
        queues = selectors.queue_conditions(agent=request.user)
        if self.value() in queues:
            return queryset.filter(queues[self.value()])
        if self.value() == "done":
            return queryset.exclude(status__in=Case.OPEN_STATUSES)
        return queryset


class AgentStatusFilter(admin.SimpleListFilter):
    """The case's state, in agents' words (``Case.AGENT_STATUS_LABELS``)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(Case.AGENT_STATUS_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in Case.AGENT_STATUS_LABELS:
            return queryset.filter(status=self.value())
        return queryset


class SlaBreachFilter(admin.SimpleListFilter):
    """Open cases in breach of a service level now: the lists the desk
    home's breach counts link to (``selectors.sla_breach_counts`` counts
    by the same two conditions)."""

    title = _("service level")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [
            ("first_response", _("First response breached")),
            ("resolution", _("Resolution breached")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "first_response":
            return queryset.filter(selectors.overdue_condition())
        if self.value() == "resolution":
            return queryset.filter(selectors.resolution_breached_condition())
        return queryset


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class CreditForm(forms.Form):
    amount = forms.IntegerField(min_value=1, max_value=1_000_000)
    reason = forms.CharField(max_length=200, required=False)


# What each button on the case page answers once it has acted (a second
# click of the same form, which acts once, gets the same answer); "assign"
# names the agent (``CaseAdmin.act``).
DONE_MESSAGES = {
    "reply": _("Reply sent."),
    "note": _("Note added."),
    "reship": _("Replacement sent."),
    "refund": _("Refund issued."),
    "credit": _("Store credit issued."),
    "resolve": _("Case resolved."),
    "close": _("Case closed."),
    "reopen": _("Case reopened."),
    "call": _("Calling the customer now: take the call from the phone queue."),
    # The reply form's other two buttons.
    "reply:resolve": _("Reply sent and case resolved."),
    "reply:wait": _("Reply sent; waiting for the customer."),
}


@admin.register(Case)
class CaseAdmin(DeskViews, admin.ModelAdmin):
    # Seven columns that fit 1280 px (support.selectors says what each
    # shows); an overdue row is marked by the stylesheet (admin-extra.css).
    list_display = [
        "case", "customer_name", "state", "assigned_to", "gift", "due",
        "last_activity",
    ]  # fmt: skip
    list_display_links = ["case"]
    list_filter = [
        QueueFilter, AgentStatusFilter, SlaBreachFilter, "problem", "is_gift",
        "contact", "created_at",
    ]  # fmt: skip
    list_select_related = ["customer", "order_line", "assigned_to"]
    search_fields = [
        "=id", "customer__email", "customer__display_name", "customer__phone",
        "=order__id", "order_line__name", "order_line__sku",
    ]  # fmt: skip
    # As the order list: no date hierarchy (its links are a DISTINCT over
    # the cases listed), the "created at" filter narrows by date; no second
    # COUNT of every case for "N total" (110,000 cases: 13 ms a page).
    show_full_result_count = False
    ordering = ["first_response_due_at"]
    change_form_template = "admin/support/case/change_form.html"
    readonly_fields = [
        "customer", "order", "order_line", "is_gift", "problem", "quantity",
        "description", "contact", "remedy", "status", "assigned_to",
        "first_response_due_at", "first_responded_at", "created_at", "resolved_at",
    ]  # fmt: skip
    fields = readonly_fields
    # No inlines: the case page (change_form.html) shows the timeline from
    # support.timeline, and an inline's formset would load it a second time.

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # customers file cases; agents work them

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_search_results(self, request, queryset, search_term):
        """Also find a case by the order number customers see (1000 + id)."""
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        if search_term.strip().isdigit():
            order_id = int(search_term) - ORDER_NUMBER_OFFSET
            results |= queryset.filter(order_id=order_id)
        return results, may_have_duplicates

    # --- The case list's columns -------------------------------------------

    def get_queryset(self, request):
        # No column shows a phone number: not reading the two users' numbers
        # spares parsing them (phonenumbers) twice a row.
        return selectors.with_last_activity(super().get_queryset(request)).defer(
            "customer__phone", "assigned_to__phone"
        )

    @admin.display(description=_("case"), ordering="pk")
    def case(self, case: Case) -> str:
        return format_html(
            '#{} {}<br><small class="case-item">{} × {}</small>',
            case.pk,
            case.get_problem_display(),
            case.quantity,
            case.order_line.name,
        )

    @admin.display(description=_("customer"), ordering="customer__display_name")
    def customer_name(self, case: Case) -> str:
        return case.customer.display_name or case.customer.email

    @admin.display(description=_("status"), ordering="status")
    def state(self, case: Case) -> str:
        return case.agent_status

    @admin.display(description=_("gift"), ordering="is_gift", empty_value="")
    def gift(self, case: Case) -> str:
        if not case.is_gift:
            return ""
        return format_html('<span class="badge-gift">{}</span>', gettext("Gift"))

    @admin.display(
        description=_("first response"),
        ordering="first_response_due_at",
        empty_value="",
    )
    def due(self, case: Case) -> str:
        words, overdue = selectors.first_response_words(case)
        if overdue:
            return format_html('<span class="case-overdue">{}</span>', words)
        return words

    @admin.display(description=_("last activity"), ordering="last_activity_at")
    def last_activity(self, case: Case) -> str:
        return selectors.ago_words(case.last_activity_at or case.created_at)

    # --- The case page ------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = get_object_or_404(
            Case.objects.select_related(
                "customer", "order", "order_line__product", "assigned_to"
            ),
            pk=object_id,
        )
        # The admin's own change view below gets this case, not another load.
        request._support_case = case
        callbacks = timeline.case_calls(case)
        gift = Gift.objects.filter(order=case.order).first() if case.is_gift else None
        context = {
            "case": case,
            "gift": gift,
            # Each refund of the item with where it went, and a refused one
            # with the provider's reason: the agent's next step.
            "line_refunds": [
                (refund, refund_tenders(refund))
                for refund in shop_selectors.refunds_of(
                    order=case.order, order_line=case.order_line
                )
            ],
            # The page shows each parcel, not its lines: one query.
            "line_shipments": timeline.parcels(
                Shipment.objects.filter(lines__order_line=case.order_line).distinct()
            ),
            "earlier_cases": Case.objects.filter(customer=case.customer)
            .exclude(pk=case.pk)
            .select_related("order_line")[:20],
            "timeline": timeline.timeline_rows(case, callbacks=callbacks),
            "wants": timeline.wants(case),
            "sla": selectors.sla(case),
            "calls": callbacks[::-1],  # newest first
            "reply_form": ReplyForm(),
            "credit_form": CreditForm(),
            "can_act": self.has_change_permission(request, case),
            "allowed": services.allowed_actions(case=case, actor=request.user),
            "macros": macros.macros_for(case),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def get_object(self, request, object_id, from_field=None):
        """The case ``change_view`` loaded for its page, or the admin's own."""
        case = getattr(request, "_support_case", None)
        if case is not None and str(case.pk) == str(object_id) and from_field is None:
            return case
        return super().get_object(request, object_id, from_field)

    def get_urls(self):
        return [
            *self.desk_urls(),
            path(
                "phone-queue/",
                self.admin_site.admin_view(self.phone_queue),
                name="support_case_phone_queue",
            ),
            path(
                "<int:case_id>/act/<str:action>/",
                self.admin_site.admin_view(require_POST(self.act)),
                name="support_case_act",
            ),
            *super().get_urls(),
        ]

    def act(self, request: HttpRequest, case_id: int, action: str) -> HttpResponse:
        """One button on the case page: call its service, report the result.

        The form's submission key goes to the service, which acts once per
        key: a second click, even at the same moment, is shown what the
        first one did ("Reply sent."). Reship, refund and credit show a
        confirmation page first (nothing happens until it is confirmed).
        """
        case = get_object_or_404(Case.objects.select_related("order"), pk=case_id)
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        if action not in services.AGENT_ACTIONS:
            raise PermissionDenied
        user, key = request.user, submissions.key_from(request.POST)
        back = HttpResponseRedirect(
            reverse("admin:support_case_change", args=[case.pk])
        )
        if action in services.MOVES_MONEY_OR_GOODS and not request.POST.get(
            "confirmed"
        ):
            try:
                return self._confirm(request, case, action, key)
            except ShopError as error:
                self.message_user(request, error.message, messages.ERROR)
                return back
        verbs = {
            "assign": lambda: services.assign_case(
                case=case, agent=user, actor=user, submission_key=key
            ),
            "reply": lambda: services.reply(
                case=case,
                actor=user,
                body=self._body(request),
                submission_key=key,
                # The reply form's "Send and resolve", "Send and wait for
                # customer": the state is set in the same service call.
                then=request.POST.get("then", ""),
            ),
            "note": lambda: services.add_note(
                case=case, actor=user, body=self._body(request), submission_key=key
            ),
            "reship": lambda: services.reship(
                case=case, actor=user, submission_key=key
            ),
            "refund": lambda: services.refund(
                case=case, actor=user, submission_key=key
            ),
            "credit": lambda: services.issue_credit(
                case=case, actor=user, submission_key=key, **self._credit(request)
            ),
            "resolve": lambda: services.resolve(
                case=case, actor=user, submission_key=key
            ),
            "close": lambda: services.close(case=case, actor=user, submission_key=key),
            "reopen": lambda: services.reopen(
                case=case, actor=user, submission_key=key
            ),
            "call": lambda: services.call_customer(
                case=case, actor=user, submission_key=key
            ),
        }
        try:
            verbs[action]()
        except ShopError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            if action == "assign":
                done = fill(gettext("Assigned to %(agent)s."), {"agent": user})
            else:
                then = request.POST.get("then", "") if action == "reply" else ""
                done = DONE_MESSAGES.get(f"{action}:{then}", DONE_MESSAGES[action])
            self.message_user(request, done, messages.SUCCESS)
        return back

    def _confirm(
        self, request: HttpRequest, case: Case, action: str, key: str
    ) -> HttpResponse:
        """What reship, refund or credit will do, and a button to do it.
        Raises ``ShopError`` when the case's state or the input refuses it."""
        reason = services.why_not(case=case, action=action)
        if reason is not None:
            raise ShopError(reason)
        line, customer = case.order_line, case.customer
        count_item = {"count": case.quantity, "item": line.name}
        carried = []
        if action == "reship":
            title = gettext("Send a replacement?")
            stock = Product.objects.get(pk=line.product_id).stock_on_hand
            what = [
                gettext(
                    "Ship %(count)d × %(item)s again, free of charge, on order "
                    "%(number)s."
                )
                % {**count_item, "number": case.order.number},
                gettext("To %(name)s, %(region)s (the order's delivery address).")
                % {
                    "name": case.order.ship_to_name,
                    "region": case.order.ship_to_region_display,
                },
                gettext("In stock now: %(stock)d.") % {"stock": stock},
            ]
        elif action == "refund":
            title = gettext("Refund?")
            amount = format_money(case.value, case.order.currency)
            what = [
                gettext("Refund %(amount)s for %(count)d × %(item)s.")
                % {**count_item, "amount": amount}
            ]
            if case.is_gift:
                what.append(
                    gettext(
                        "To the store credit of %(name)s, who received this gift; "
                        "the giver's payment is not touched."
                    )
                    % {"name": customer.display_name or customer.email}
                )
            else:
                what.append(
                    gettext(
                        "To the original payment of order %(number)s; each "
                        "payment gets back no more than it paid:"
                    )
                    % {"number": case.order.number}
                )
                what += [self._tender(p) for p in case.order.payments.all()]
        else:
            form = CreditForm(request.POST)
            if not form.is_valid():
                raise ShopError(_("Enter an amount between 1 and 1,000,000."))
            title = gettext("Issue store credit?")
            what = [
                fill(
                    gettext("Add %(amount)s to the store credit of %(name)s."),
                    {
                        "amount": format_money(form.cleaned_data["amount"]),
                        "name": customer.display_name or customer.email,
                    },
                )
            ]
            if form.cleaned_data["reason"]:
                what.append(
                    gettext("Reason: %(reason)s")
                    % {"reason": form.cleaned_data["reason"]}
                )
            carried = [
                ("amount", form.cleaned_data["amount"]),
                ("reason", form.cleaned_data["reason"]),
            ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "case": case,
            "action": action,
            "what_happens": what,
            "carried": carried,
            "submission_key": key,
        }
        return TemplateResponse(
            request, "admin/support/case/confirm_action.html", context
        )

    @staticmethod
    def _tender(payment: Payment) -> str:
        amount = format_money(payment.amount, payment.currency)
        if payment.provider == Payment.STORE_CREDIT:
            return gettext("Store credit: %(amount)s paid.") % {"amount": amount}
        return gettext("Card ending %(last4)s: %(amount)s paid.") % {
            "last4": payment.card_last4 or "—",
            "amount": amount,
        }

    def phone_queue(self, request: HttpRequest) -> HttpResponse:
        """Who is waiting on the phone, for which case, for how long, and who
        took them; "Connect me" takes the longest waiter nobody has taken
        and rings the agent to be put through to that very caller."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._connect_me(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Phone queue"),
            "rows": calls.waiting_calls(),
            "now": timezone.now(),
        }
        return TemplateResponse(request, "admin/support/case/phone_queue.html", context)

    def _connect_me(self, request: HttpRequest) -> HttpResponse:
        here = HttpResponseRedirect(reverse("admin:support_case_phone_queue"))
        if not request.user.phone:
            self.message_user(
                request,
                _("Add your phone number to your profile to take calls."),
                messages.ERROR,
            )
            return here
        try:
            case = calls.take_next_call(
                agent=request.user, submission_key=submissions.key_from(request.POST)
            )
        except ProviderError as error:
            self.message_user(request, str(error), messages.ERROR)
            return here
        if case is None:
            self.message_user(request, _("Nobody is waiting."), messages.WARNING)
            return here
        self.message_user(
            request, _("Ringing your phone now: answer to speak to this customer.")
        )
        return HttpResponseRedirect(
            reverse("admin:support_case_change", args=[case.pk])
        )

    @staticmethod
    def _body(request: HttpRequest) -> str:
        form = ReplyForm(request.POST)
        return form.cleaned_data["body"] if form.is_valid() else ""

    @staticmethod
    def _credit(request: HttpRequest) -> dict:
        form = CreditForm(request.POST)
        if not form.is_valid():
            raise ShopError(_("Enter an amount between 1 and 1,000,000."))
        return {
            "amount": form.cleaned_data["amount"],
            "reason": form.cleaned_data["reason"],
        }

    def changelist_view(self, request, extra_context=None):
        # "Mine" is a filter of its own, not counted in the header.
        counts = selectors.queue_counts(agent=request.user)
        return super().changelist_view(
            request, {"queue_counts": counts, **(extra_context or {})}
        )


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    """Canned replies: the case page offers the active ones, in order, as
    buttons that fill the reply box (``support.macros``)."""

    list_display = ["title", "is_active", "position"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["title", "body_en", "body_ja"]
    fields = ["title", "body_en", "body_ja", "is_active", "position"]
