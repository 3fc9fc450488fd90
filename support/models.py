"""Cases and their timelines."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Model
from shop.models import Order, OrderLine
from support import messages


class Case(Model):
    """A customer's problem with one line of an order (or a gift).

    Filed by the line's owner: the buyer, or the recipient for a gift. A
    giver may open only a "not delivered" case about a gift they sent.
    """

    class Problem(models.TextChoices):
        MISSING_ITEM = "missing_item", _("Item missing from the package")
        NOT_DELIVERED = "not_delivered", _("Not delivered")
        DAMAGED = "damaged", _("Arrived damaged")
        DEFECTIVE = "defective", _("Defective")
        MISSING_DOCUMENTS = "missing_documents", _("Missing manual or warranty card")
        WRONG_ITEM = "wrong_item", _("Wrong item")
        OTHER = "other", _("Something else")

    class Contact(models.TextChoices):
        MESSAGE = "message", _("Messages here, with email notifications")
        CALL_NOW = "call_now", _("Phone call now")
        CALL_LATER = "call_later", _("Phone call in 5 minutes")

    class Remedy(models.TextChoices):
        REPLACEMENT = "replacement", _("Send a replacement")
        REFUND = "refund", _("Refund")

    class Status(models.TextChoices):
        NEW = "new", _("New: waiting for an agent")
        WAITING_FOR_AGENT = "open", _("Open: we're on it")
        WAITING_FOR_CUSTOMER = "waiting", _("Waiting for your reply")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.NEW, Status.WAITING_FOR_AGENT, Status.WAITING_FOR_CUSTOMER)

    # The states as agents read them (the labels above are the customer's:
    # "Waiting for your reply" is ambiguous on the desk). The admin's list,
    # filter and case page take them from here, via ``agent_status``.
    AGENT_STATUS_LABELS = {
        Status.NEW: _("New"),
        Status.WAITING_FOR_AGENT: _("Open: our move"),
        Status.WAITING_FOR_CUSTOMER: _("Waiting for customer"),
        Status.RESOLVED: _("Resolved"),
        Status.CLOSED: _("Closed"),
    }

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="support_cases",
        verbose_name=_("customer"),
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="support_cases"
    )
    order_line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        related_name="support_cases",
        verbose_name=_("item"),
    )
    is_gift = models.BooleanField(_("gift"), default=False)
    problem = models.CharField(_("problem"), max_length=20, choices=Problem)
    quantity = models.PositiveIntegerField(_("how many"), default=1)
    description = models.TextField(_("what happened"), max_length=2000, blank=True)
    contact = models.CharField(
        _("how to reach you"), max_length=12, choices=Contact, default=Contact.MESSAGE
    )
    remedy = models.CharField(
        _("what you'd like"), max_length=12, choices=Remedy, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.NEW, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("agent"),
    )
    first_response_due_at = models.DateTimeField(_("first response due"))
    first_responded_at = models.DateTimeField(
        _("first response"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("filed"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The "Get help" form's submission key: the same form sent twice files
    # one case, even when the first was resolved at once (so no longer open).
    submission_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "order_line", "problem"],
                condition=Q(status__in=["new", "open", "waiting"]),
                name="support_one_open_case_per_line_and_problem",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="support_case_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["customer", "submission_key"],
                condition=~Q(submission_key=""),
                name="support_one_case_per_submission",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "first_response_due_at"]),
            # The case list's default page: open cases, soonest due first
            # (the admin breaks ties by -pk), read in order from this index
            # and stopped after a page, instead of sorting every open case.
            models.Index(
                fields=["first_response_due_at", "-id"],
                condition=Q(status__in=["new", "open", "waiting"]),
                name="support_open_case_queue",
            ),
        ]

    def __str__(self) -> str:
        return _("Case %(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("support:case", kwargs={"pk": self.pk})

    @property
    def agent_status(self) -> str:
        """The state in agents' words (``AGENT_STATUS_LABELS``), in the
        active language: a string, not the lazy label, which the admin's
        list would translate again for each comparison it makes."""
        return str(self.AGENT_STATUS_LABELS[self.status])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def value(self) -> int:
        """What the case's units cost: what a refund gives back, and what
        the self-service limits weigh."""
        return self.order_line.unit_price * self.quantity

    @property
    def is_givers_case(self) -> bool:
        """Filed by the giver about a gift they sent (to ask where it is):
        the gift is reshipped or refunded from its recipient's case only."""
        return self.is_gift and self.customer_id == self.order.buyer_id


class CaseEvent(Model):
    """One entry of a case's timeline. Internal entries are for agents only."""

    class Kind(models.TextChoices):
        FILED = "filed", _("Case filed")
        DECISION = "decision", _("Decision")
        REPLACEMENT = "replacement", _("Replacement sent")
        DOCUMENTS = "documents", _("Documents sent")
        REFUND = "refund", _("Refund")
        STORE_CREDIT = "store_credit", _("Store credit issued")
        ASSIGNED = "assigned", _("Assigned")
        REPLY = "reply", _("Reply from support")
        CUSTOMER_MESSAGE = "customer_message", _("Message from the customer")
        NOTE = "note", _("Internal note")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        CALL = "call", _("Phone call")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind)
    is_public = models.BooleanField(_("customer sees it"), default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(max_length=5000, blank=True)
    # An entry in our words: its sentence's id and the facts it names, so
    # each reader gets it in their own language (``support.messages``).
    message = models.CharField(max_length=40, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The key of the form submission that wrote this entry (an agent's
    # button, a customer's message or call request): the same form sent
    # twice finds this entry instead of acting again.
    submission_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "submission_key"],
                condition=~Q(submission_key=""),
                name="support_one_event_per_submission",
            ),
        ]
        indexes = [
            # A case's latest entry (``selectors.with_last_activity``, a
            # subquery per row of the case list and the desk) read from
            # the index's end, whatever the planner guesses of a case's
            # number of entries: without it, on 110,000 cases with stale
            # statistics, the case list scanned the whole table per row.
            models.Index(
                "case", F("created_at").desc(), name="support_case_latest_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def text(self) -> str:
        """What the entry says, in the language in force (the reader's)."""
        return messages.render(self)


class Macro(Model):
    """A canned reply agents insert on a case page with one click.

    Written in English and Japanese; the case page offers each in the
    customer's language with its placeholders filled from the case
    (``support.macros``): {customer_name}, {item}, {order}, {eta}.
    """

    title = models.CharField(_("title"), max_length=80)
    body_en = models.TextField(
        _("reply in English"),
        max_length=4000,
        help_text=_(
            "Placeholders: {customer_name}, {item}, {order}, {eta} (the "
            "latest parcel's estimated delivery)."
        ),
    )
    body_ja = models.TextField(
        _("reply in Japanese"),
        max_length=4000,
        blank=True,
        help_text=_("Left empty, Japanese-speaking customers get the English."),
    )
    is_active = models.BooleanField(_("offered on case pages"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title
