"""Run in a process of its own by tests/core/test_errors.py: the Sentry SDK,
set up as production sets it up, reports a request that fails, and prints
what would have left the process (one JSON envelope item a line) instead
of sending it. Its own process, as the SDK patches Django for good."""

import json
import logging
import os
import sys

import django
from django.http import HttpRequest
from django.urls import path
from sentry_sdk.transport import Transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

sent: list[dict] = []


class PrintingTransport(Transport):
    def capture_envelope(self, envelope) -> None:
        for item in envelope.items:
            payload = item.payload.json
            if payload is not None:
                sent.append({"type": item.type, "payload": payload})


def failing(request: HttpRequest):
    number = request.POST["phone"]
    address = request.POST["address_line1"]
    logging.getLogger("probe").warning("About to call %s", number)
    postal_code = request.POST["postal_code"]
    raise RuntimeError(f"Could not ship to {address}, call {number} (〒{postal_code})")


urlpatterns: list = []  # the site's and ``failing``'s, once Django is set up


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.test import Client

    from config.urls import urlpatterns as site_urlpatterns
    from core.errors import init_sentry

    urlpatterns.extend([path("probe/", failing), *site_urlpatterns])
    settings.ROOT_URLCONF = __name__
    init_sentry(
        dsn="https://public@sentry.invalid/1",
        environment="probe",
        transport=PrintingTransport,
    )
    client = Client(raise_request_exception=False)
    # The customer's data comes from the test (the environment), so none of
    # it is in this file's source, which the SDK sends around each line.
    form = json.loads(os.environ["PROBE_FORM"])
    response = client.post(f"/probe/?email={form.pop('email')}", form)
    import sentry_sdk

    sentry_sdk.flush()
    print(json.dumps({"status": response.status_code, "sent": sent}, default=str))


if __name__ == "__main__":
    main()
    sys.exit(0)
