"""Emails about a customer's data. Each goes to the customer, never to staff."""

from django.urls import reverse

from core.emails import send_templated
from privacy.models import DataRequest


def send_export_ready(data_request: DataRequest) -> None:
    send_templated(
        template="privacy/email/export_ready",
        context={
            "data_request": data_request,
            "download_path": reverse(
                "privacy:download_export", kwargs={"pk": data_request.pk}
            ),
        },
        to=data_request.user.email,
        recipient=data_request.user,
    )
