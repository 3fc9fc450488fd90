"""The staff alarm for the shop's hourly cap on calls: recorded once per
trip, emailed once per trip."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from callbacks.models import CallAlarm
from callbacks.tasks import send_call_alarm
from core.emails import send_templated

logger = logging.getLogger(__name__)


def raise_call_alarm() -> CallAlarm:
    """Record a refusal by the shop's hourly cap for staff; email them once
    per trip.

    Guarantees: one open alarm at a time (a partial unique index); refusals
    less than an hour apart count on it, the first after a quiet hour opens
    a new one. Concurrent first refusals make one alarm and one email: the
    second waits on the unique index, then counts on the first's alarm. Its
    own transaction, so it is kept although the request it records fails.
    """
    now = timezone.now()
    kind = CallAlarm.Kind.SHOP_CAP
    with transaction.atomic():
        alarm = CallAlarm.objects.select_for_update().filter(kind=kind, is_open=True)
        alarm = alarm.first()
        if alarm is not None and alarm.last_refused_at < now - CallAlarm.QUIET:
            alarm.is_open = False
            alarm.save(update_fields=["is_open"])
            alarm = None
        if alarm is None:
            try:
                with transaction.atomic():
                    alarm = CallAlarm.objects.create(
                        kind=kind,
                        limit=settings.CALLBACKS_SHOP_MAX_PER_HOUR,
                        last_refused_at=now,
                    )
            except IntegrityError:
                alarm = CallAlarm.objects.select_for_update().get(
                    kind=kind, is_open=True
                )
            else:
                logger.error(
                    "Call cap reached: %s calls an hour; refusing new requests",
                    alarm.limit,
                )
                alarm_id = alarm.pk
                transaction.on_commit(
                    lambda: send_call_alarm.delay(alarm_id=alarm_id), robust=True
                )
                return alarm
        CallAlarm.objects.filter(pk=alarm.pk).update(
            refused=F("refused") + 1, last_refused_at=now
        )
    return alarm


def email_call_alarm(*, alarm_id: int) -> int:
    """Tell staff the cap tripped: ``ADMINS``, else every active superuser.
    Returns how many were emailed."""
    alarm = CallAlarm.objects.get(pk=alarm_id)
    recipients = [email for _name, email in settings.ADMINS]
    if not recipients:
        recipients = list(
            get_user_model()
            .objects.filter(is_active=True, is_superuser=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    if not recipients:
        return 0
    # For staff, in the shop's language: the alarm is nobody's own email.
    with translation.override(settings.LANGUAGE_CODE):
        send_templated(
            template="callbacks/email/call_alarm",
            context={
                "alarm": alarm,
                "url": settings.SITE_URL
                + reverse("admin:callbacks_callalarm_changelist"),
            },
            to=recipients,
        )
    return len(recipients)
