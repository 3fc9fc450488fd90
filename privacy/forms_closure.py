"""The forms that close an account: the customer's confirmation, and
staff acting on a customer's written request."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmClosureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand: my account will be closed for good, and this "
            "cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class StaffClosureForm(ConfirmClosureForm):
    reason = forms.CharField(
        label=_("The customer's written request"),
        help_text=_("Which request (date, channel, case or email), and why."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say which written request this is."))
        return reason


class FindCustomerForm(forms.Form):
    email = forms.EmailField(label=_("Customer's email address"))
