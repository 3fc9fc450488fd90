"""The agents' desk home in the admin: what needs an agent now, counted by
``selectors.desk_counts``, and the service levels in breach, counted by
``selectors.sla_breach_counts``, each count a link to its list; and the JSON the
desk page and the "a caller is waiting" banner on every admin page poll
(static/js/desk.js), so both stay current without a reload.

``DeskViews`` is mixed into the case admin: the desk is the case admin's,
with the same permissions (``has_view_or_change_permission``).
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from shop.models import User
from support import selectors

# How often the page asks for fresh counts (milliseconds, for desk.js).
POLL_EVERY_MS = 5000


def may_use_desk(user: User | AnonymousUser) -> bool:
    """The case admin's rule (view or change cases, as active staff): who
    gets the desk's nav link, its banner and its polling."""
    return (
        user.is_active
        and user.is_staff
        and (user.has_perm("support.view_case") or user.has_perm("support.change_case"))
    )


def waiting_message(waiting: int) -> str:
    """The banner's words for ``waiting`` callers ("" when nobody waits)."""
    if not waiting:
        return ""
    return ngettext(
        "%(count)d caller is waiting for an agent.",
        "%(count)d callers are waiting for an agent.",
        waiting,
    ) % {"count": waiting}


class DeskViews:
    """The desk page and its JSON, as views of the case admin."""

    def desk_urls(self) -> list:
        return [
            path(
                "desk/",
                self.admin_site.admin_view(require_GET(self.desk_home)),
                name="support_case_desk",
            ),
            path(
                "desk.json",
                self.admin_site.admin_view(require_GET(self.desk_json)),
                name="support_case_desk_json",
            ),
        ]

    def _desk_allowed(self, request: HttpRequest) -> None:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied

    def desk_home(self, request: HttpRequest) -> HttpResponse:
        """The counts, each linked to its list, and the calls due soon."""
        self._desk_allowed(request)
        now = timezone.now()
        counts = selectors.desk_counts(agent=request.user, now=now)
        cases = reverse("admin:support_case_changelist")
        phone_queue = reverse("admin:support_case_phone_queue")
        tiles = [
            ("waiting", _("Callers waiting now"), phone_queue),
            ("calls_due", _("Calls due in the next 15 minutes"), "#calls-due"),
            ("overdue", _("Overdue cases"), f"{cases}?queue=overdue"),
            ("unassigned", _("Unassigned open cases"), f"{cases}?queue=unassigned"),
            ("mine", _("My open cases"), f"{cases}?queue=mine"),
        ]
        # The service levels in breach now (selectors.sla_breach_counts),
        # each linked to the case list's SlaBreachFilter.
        breaches = selectors.sla_breach_counts(now=now)
        sla_tiles = [
            (
                "first_response_breached",
                _("First response breached"),
                f"{cases}?sla=first_response",
                breaches.first_response,
            ),
            (
                "resolution_breached",
                _("Resolution breached"),
                f"{cases}?sla=resolution",
                breaches.resolution,
            ),
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Desk"),
            "tiles": [
                (name, label, url, getattr(counts, name)) for name, label, url in tiles
            ],
            "sla_tiles": sla_tiles,
            "calls_due": selectors.calls_due(now=now),
            "now": now,
            # The banner's count, already counted (support/templatetags/desk.py).
            "desk_waiting": counts.waiting,
        }
        return TemplateResponse(request, "admin/support/case/desk.html", context)

    def desk_json(self, request: HttpRequest) -> JsonResponse:
        """The desk's counts and the banner's words, for desk.js. Never
        cached: the admin's views send no-store headers."""
        self._desk_allowed(request)
        now = timezone.now()
        counts = selectors.desk_counts(agent=request.user, now=now)
        breaches = selectors.sla_breach_counts(now=now)
        return JsonResponse(
            {
                "counts": {
                    "waiting": counts.waiting,
                    "calls_due": counts.calls_due,
                    "overdue": counts.overdue,
                    "unassigned": counts.unassigned,
                    "mine": counts.mine,
                    "first_response_breached": breaches.first_response,
                    "resolution_breached": breaches.resolution,
                },
                "banner": waiting_message(counts.waiting),
            }
        )
