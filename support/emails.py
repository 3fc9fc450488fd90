"""Emails about cases: replies to customers, new messages to agents."""

from django.urls import reverse

from core.emails import send_templated
from support.models import CaseEvent


def send_case_reply(event: CaseEvent) -> None:
    send_templated(
        template="support/email/reply",
        context={"event": event, "case": event.case},
        to=event.case.customer.email,
        recipient=event.case.customer,
    )


def notify_agent(event: CaseEvent) -> None:
    case = event.case
    send_templated(
        template="support/email/agent_message",
        context={
            "event": event,
            "case": case,
            "admin_path": reverse("admin:support_case_change", args=[case.pk]),
        },
        to=case.assigned_to.email,
        recipient=case.assigned_to,
    )


def send_call_failed(event: CaseEvent) -> None:
    send_templated(
        template="support/email/call_failed",
        context={"event": event, "case": event.case},
        to=event.case.customer.email,
        recipient=event.case.customer,
    )
