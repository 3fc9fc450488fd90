"""A person's requests about their own data, each also the audit trail of
what was done: who asked (the customer, or staff on the customer's written
request), when, why, and when it was done.

- An *export* is what we hold about the customer, built by a Celery task
  into a file only they may download, for a limited time.
- A *closure* closes the account: personal data erased or anonymised, the
  orders kept, stripped of what identifies the person, for the bookkeeping
  period the law requires.

At most one request of each kind is open per customer at a time (a
constraint, so two clicks at once make one request).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Model


class DataRequest(Model):
    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        CLOSURE = "closure", _("Account closure")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    OPEN = (Status.PENDING,)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PENDING
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="data_requests",
        verbose_name=_("customer"),
    )
    # The customer themself, or the staff member who acted on their written
    # request (then ``reason`` says which request and why).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # --- An export's file (``privacy.export``) ---------------------------------
    # Its name in the private "exports" storage, never under MEDIA_ROOT: only
    # the owner's download view reads it, until ``expires_at``.
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)
    # The "your data is ready" email went out (sent once, however often the
    # task runs).
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The form submission that asked: sent twice, it is one request (for a
    # closure, the twin arrives signed out once the first has closed the
    # account, and is recognised by it and shown the same page).
    submission_key = models.CharField(
        max_length=64, blank=True, default="", editable=False
    )
    # A closure runs in steps (``privacy.closure.STEPS``), each recorded here
    # in the transaction that did it, so a closure a crash cut short resumes
    # at the first step not done.
    steps_done = models.JSONField(_("steps done"), default=list, blank=True)
    # What came of it, in words for the audit trail: a closure refused (an
    # order still to ship) says why.
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(status="pending"),
                name="privacy_one_open_request_per_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "submission_key"],
                condition=~Q(submission_key=""),
                name="privacy_one_request_per_submission",
            ),
        ]
        permissions = [
            (
                "start_export",
                _("Can export a customer's data on their written request"),
            ),
            ("close_account", _("Can close a customer's account on their request")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_expired(self) -> bool:
        """An export whose link no longer works (or that was purged)."""
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def by_staff(self) -> bool:
        return self.requested_by_id != self.user_id
