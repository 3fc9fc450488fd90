"""The shop's views, and small helpers the apps' views share."""

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest


def flash_form_errors(request: HttpRequest, form: Form) -> None:
    """Show a form's errors as messages, for forms posted from other pages."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
