"""Views and view helpers every app may use: ``healthz`` for load balancers
(and as the benchmarks' ceiling), and form errors shown as messages."""

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def flash_form_errors(request: HttpRequest, form: Form) -> None:
    """Show a form's errors as messages, for forms posted from other pages."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
