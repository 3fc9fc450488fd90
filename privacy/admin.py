"""Staff's screens for customers' data requests: the audit trail (who asked,
for whom, when, why, how it went), read-only, and the staff form that acts
on a customer's written request. Nothing here shows or downloads an
export's contents: only its owner can, signed in, on the site."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import submissions
from privacy import services
from privacy.exceptions import PrivacyError
from privacy.models import DataRequest
from shop.models import User


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "customer_email",
        "status",
        "requested_by_email",
        "reason",
        "created_at",
        "finished_at",
        "expires_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["user", "requested_by"]
    search_fields = ["user__email", "reason"]
    date_hierarchy = "created_at"
    # The trail as it was written; never the file's name or its contents.
    fields = [
        "kind",
        "user",
        "status",
        "requested_by",
        "reason",
        "created_at",
        "finished_at",
        "expires_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("customer"), ordering="user__email")
    def customer_email(self, obj: DataRequest) -> str:
        return obj.user.email

    @admin.display(description=_("requested by"), ordering="requested_by__email")
    def requested_by_email(self, obj: DataRequest) -> str:
        return obj.requested_by.email

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    # --- Export ----------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.start_export),
                name="privacy_datarequest_start_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_start_export": request.user.has_perm("privacy.start_export"),
        }
        return super().changelist_view(request, extra_context)

    def start_export(self, request: HttpRequest) -> HttpResponse:
        """Export a customer's data on their written request: the reason is
        required and kept; the file is emailed to the customer, never shown
        to staff. Sent twice, it is one request (its submission key)."""
        if not request.user.has_perm("privacy.start_export"):
            raise PermissionDenied
        key = (
            submissions.key_from(request.POST)
            if request.method == "POST"
            else submissions.new_key()
        )
        form = StaffExportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                data_request = services.request_export(
                    user=form.cleaned_data["customer"],
                    requested_by=request.user,
                    reason=form.cleaned_data["reason"],
                    submission_key=key,
                )
            except PrivacyError as error:
                form.add_error("reason", error.message)
            else:
                facts = {"id": data_request.pk, "email": data_request.user.email}
                if data_request.requested_by_id == request.user.pk:
                    self.message_user(
                        request,
                        gettext(
                            "Export #%(id)s for %(email)s is being prepared; the "
                            "customer gets the link by email."
                        )
                        % facts,
                        messages.SUCCESS,
                    )
                else:
                    # One export at a time: the one already under way is the
                    # answer, and this click added nothing to the trail.
                    self.message_user(
                        request,
                        gettext(
                            "An export for %(email)s is already being prepared "
                            "(#%(id)s); the customer gets the link by email. "
                            "Nothing new was started."
                        )
                        % facts,
                        messages.WARNING,
                    )
                return HttpResponseRedirect(
                    reverse("admin:privacy_datarequest_changelist")
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Export a customer's data"),
            "form": form,
            "submission_key": key,
        }
        return TemplateResponse(
            request, "admin/privacy/datarequest/start_export.html", context
        )


class StaffExportForm(forms.Form):
    customer = forms.EmailField(label=_("Customer's email address"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The customer's written request: its reference, and how it reached us."
        ),
    )

    def clean_customer(self) -> User:
        email = self.cleaned_data["customer"]
        customer = User.objects.filter(email__iexact=email).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has this email address."))
        return customer
