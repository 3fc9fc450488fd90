"""Views and view helpers every app may use: ``healthz`` for load balancers
(and as the benchmarks' ceiling), a selector's row or a 404, and form errors
shown as messages."""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.db.models import Model
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve

T = TypeVar("T")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def selected_or_404(
    models: type[Model] | tuple[type[Model], ...],
    select: Callable[..., T],
    /,
    **lookup,
) -> T:
    """What ``select(**lookup)`` returns, or a 404 where it raises
    ``DoesNotExist`` of one of ``models``. Selectors look rows up through
    their owner, so someone else's id is a 404 like an id that does not
    exist, never a 403 that confirms it does."""
    missing = tuple(
        model.DoesNotExist
        for model in (models if isinstance(models, tuple) else (models,))
    )
    try:
        return select(**lookup)
    except missing:
        raise Http404 from None


def flash_form_errors(request: HttpRequest, form: Form) -> None:
    """Show a form's errors as messages, for forms posted from other pages."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded files from MEDIA_ROOT, read when asked (a test may point it
    elsewhere), for run mode and tests only: ``config.urls`` mounts this when
    SERVE_MEDIA is set. Production serves media from object storage."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
