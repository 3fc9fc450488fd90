"""Request-wide middleware: the request id every log line carries, and the
second factor staff need for the admin.

Staff see customers' addresses and phone numbers, so a password alone is not
enough: allauth's TOTP is required. Staff without an authenticator are sent
to set one up; staff who signed in without using it are asked for a code.
"""

import functools
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import get_script_prefix, get_urlconf, reverse

from core import logs


@functools.cache
def _admin_root(urlconf: str, script_prefix: str) -> str:
    return reverse("admin:index", urlconf=urlconf)


def admin_root() -> str:
    """The admin's root path, reversed once per URLconf and script prefix:
    every request is checked against it, and reversing costs more than the
    rest of the check."""
    return _admin_root(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def used_second_factor(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class StaffSecondFactorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # The path first: any other request (a webhook, /healthz) need not
        # load the session and the user for this.
        if (
            request.path.startswith(admin_root())
            and user.is_authenticated
            and user.is_staff
            and not used_second_factor(request)
        ):
            if is_mfa_enabled(user, [Authenticator.Type.TOTP]):
                target = reverse("mfa_reauthenticate")
            else:
                target = reverse("mfa_activate_totp")
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{target}?{query}")
        return self.get_response(request)


class RequestIdMiddleware:
    """Give each request an id: the proxy's (``REQUEST_ID_HEADER``, when it
    is well formed) or a new one. Every line logged while the request runs,
    and by the tasks it queues, carries it (``core.logs``); the response
    sends it back in ``X-Request-ID``, so a customer's or a load balancer's
    report can be matched with the logs. First in ``MIDDLEWARE``, so even
    a redirect or an error page carries it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = settings.REQUEST_ID_HEADER
        value = logs.valid_request_id(request.headers.get(header)) if header else None
        with logs.request_id(value or logs.new_request_id()) as request_id:
            request.request_id = request_id
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
