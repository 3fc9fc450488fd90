"""Staff reach the admin only after a second factor in this session.

Staff see customers' addresses and phone numbers, so a password alone is not
enough: allauth's TOTP is required. Staff without an authenticator are sent
to set one up; staff who signed in without using it are asked for a code.
"""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


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
            request.path.startswith(reverse("admin:index"))
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
