"""Emails about cases: replies to customers, new messages to agents."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from support.models import CaseEvent


def _send(*, template: str, context: dict, to: str) -> None:
    context = {**context, "site_url": settings.SITE_URL}
    subject = render_to_string(f"support/email/{template}_subject.txt", context)
    body = render_to_string(f"support/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])


def send_case_reply(event: CaseEvent) -> None:
    _send(
        template="reply",
        context={"event": event, "case": event.case},
        to=event.case.customer.email,
    )


def notify_agent(event: CaseEvent) -> None:
    case = event.case
    _send(
        template="agent_message",
        context={
            "event": event,
            "case": case,
            "admin_path": reverse("admin:support_case_change", args=[case.pk]),
        },
        to=case.assigned_to.email,
    )


def send_call_failed(event: CaseEvent) -> None:
    _send(
        template="call_failed",
        context={"event": event, "case": event.case},
        to=event.case.customer.email,
    )
