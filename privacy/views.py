"""A customer's own data: ask for a copy, and download it."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import submissions
from core.views import selected_or_404
from privacy import selectors, services
from privacy.models import DataRequest

# --- Export ------------------------------------------------------------------


@login_required
@never_cache
def your_data(request: HttpRequest) -> HttpResponse:
    """The customer's data page: ask for a copy, see how it is coming, and
    download it while its link works."""
    return render(
        request,
        "privacy/your_data.html",
        {"export": selectors.latest_export(user=request.user)},
    )


@login_required
@require_POST
def request_export(request: HttpRequest) -> HttpResponse:
    """Ask for a copy. Sent twice, it is one request: both land on the same
    "we're preparing it" page."""
    services.request_export(
        user=request.user,
        requested_by=request.user,
        submission_key=submissions.key_from(request.POST),
    )
    return redirect("privacy:your_data")


@login_required
@never_cache
def download_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The export's ZIP, as an attachment, for its owner only (anyone else,
    staff included: 404) and only until it expires (then a page that says
    so, with a button to ask again)."""
    export = selected_or_404(
        DataRequest, selectors.export_for_owner, user=request.user, pk=pk
    )
    if export.status != DataRequest.Status.DONE:
        return redirect("privacy:your_data")
    storage = services.export_storage()
    gone = not export.file_name or not storage.exists(export.file_name)
    if export.is_expired or gone:
        return render(
            request, "privacy/export_expired.html", {"export": export}, status=410
        )
    day = timezone.localdate(export.finished_at).isoformat()
    response = FileResponse(
        storage.open(export.file_name, "rb"),
        as_attachment=True,
        filename=f"hoshii-data-{day}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
