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
from django.utils.translation import gettext_lazy as _


class DataRequest(models.Model):
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
    # An export's file, for its customer only, until ``expires_at``; then
    # ``privacy.retention.purge_expired_exports`` deletes it and blanks this.
    file = models.FileField(
        _("file"), upload_to="privacy/exports/", blank=True, editable=False
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

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
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def by_staff(self) -> bool:
        return self.requested_by_id != self.user_id
