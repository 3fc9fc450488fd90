"""A callback request is a row with a state machine; the row is the truth."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.models import Model


def new_reference() -> str:
    return f"cb_{secrets.token_hex(8)}"


class CallbackRequest(Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DIALING = "dialing", _("Calling")
        RINGING = "ringing", _("Ringing")
        IN_PROGRESS = "in_progress", _("Connected")
        COMPLETED = "completed", _("Finished")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        FAILED = "failed", _("We couldn't reach you")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (State.SCHEDULED, State.DIALING, State.RINGING, State.IN_PROGRESS)
    FINAL = (State.COMPLETED, State.FAILED, State.CANCELLED)

    class AnsweredBy(models.TextChoices):
        HUMAN = "human", _("A person")
        MACHINE = "machine", _("A machine")
        UNKNOWN = "unknown", _("Unknown")

    # What the call is about, as the app that asked for it names it (for
    # example "returns.parcel:42"). One active callback per subject.
    subject = models.CharField(_("subject"), max_length=80)
    reference = models.CharField(max_length=40, unique=True, default=new_reference)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    number = PhoneNumberField(_("number"))
    language = models.CharField(_("language"), max_length=8, default="en")
    script = models.TextField(_("spoken greeting"), max_length=1000)
    # Where the answered caller waits: the asking app names its agents' line.
    queue = models.CharField(_("queue"), max_length=40)
    state = models.CharField(
        _("state"), max_length=12, choices=State, default=State.SCHEDULED, db_index=True
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    call_sid = models.CharField(_("provider call id"), max_length=64, blank=True)
    dialing_started_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.CharField(
        _("answered by"), max_length=8, choices=AnsweredBy, blank=True
    )
    enqueued_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    # The agent who took the waiting caller ("Connect me"): a user, as
    # ``requested_by`` is, so the row names who spoke to whom and an agent's
    # account going away keeps the call's history. ``claim_key`` is the
    # submission that claimed it, so a form sent twice claims once.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    claimed_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    claim_key = models.CharField(max_length=64, blank=True)
    agent_call_sid = models.CharField(_("agent's call id"), max_length=64, blank=True)
    bridged_at = models.DateTimeField(_("put through at"), null=True, blank=True)
    # A waiting caller must be put through to an agent by this time, else it
    # is a missed pick-up (``CALLBACKS_PICKUP_TIMEOUT`` after they started to
    # wait, were taken, or went back to the queue); how many they had.
    pickup_due_at = models.DateTimeField(_("pick-up due at"), null=True, blank=True)
    missed_pickups = models.PositiveSmallIntegerField(_("missed pick-ups"), default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Ids the asking app wants on every log line of this call (support: the
    # case's and the order's), so a worker or a webhook, where no request of
    # the asker's is active, logs them too. Ids only, never personal data.
    log_context = models.JSONField(default=dict, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(
                    state__in=["scheduled", "dialing", "ringing", "in_progress"]
                ),
                name="callbacks_one_active_per_subject",
            ),
            models.UniqueConstraint(
                fields=["call_sid"],
                condition=~Q(call_sid=""),
                name="callbacks_one_row_per_provider_call",
            ),
            models.UniqueConstraint(
                fields=["claimed_by", "claim_key"],
                condition=~Q(claim_key=""),
                name="callbacks_one_claim_per_submission",
            ),
            # A number removed once no longer needed (``forget_numbers``)
            # belongs to a call that is over: nothing dials a blank number.
            models.CheckConstraint(
                condition=~Q(number="")
                | ~Q(state__in=["scheduled", "dialing", "ringing", "in_progress"]),
                name="callbacks_active_call_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} → {self.number} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE

    def log_fields(self) -> dict:
        """What every log line about this call carries (``core.logs.bind``):
        its id and reference, then the asker's ids."""
        return {
            **self.log_context,
            "callback_id": self.pk,
            "callback_reference": self.reference,
        }


# The history line (``CallbackEvent.detail``) of a missed pick-up starts so.
MISSED_PICKUP = "missed pick-up"


class CallbackEvent(Model):
    """Every state change, in order: the audit trail of one callback."""

    callback = models.ForeignKey(
        CallbackRequest, on_delete=models.CASCADE, related_name="events"
    )
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    detail = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class CallAlarm(Model):
    """The shop-wide hourly cap on calls tripped: requests are being refused.

    One alarm per trip: refusals less than ``QUIET`` apart add to the open
    alarm; the first refusal after a quiet hour opens a new one (and its
    email). Kept forever, so staff can see when and how often it happened.
    """

    class Kind(models.TextChoices):
        SHOP_CAP = "shop_cap", _("Hourly call cap reached")

    # A trip of the shop's cap ends after an hour without a refusal.
    QUIET = datetime.timedelta(hours=1)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    limit = models.PositiveIntegerField(_("calls per hour allowed"))
    tripped_at = models.DateTimeField(_("tripped at"), auto_now_add=True)
    last_refused_at = models.DateTimeField(_("last refusal"))
    refused = models.PositiveIntegerField(_("requests refused"), default=1)
    is_open = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("call alarm")
        verbose_name_plural = _("call alarms")
        ordering = ["-tripped_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(is_open=True),
                name="callbacks_one_open_alarm_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.tripped_at:%Y-%m-%d %H:%M})"
