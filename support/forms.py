from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from support.models import Case

# The number to call: the phone keypad, and the browser offers its own.
PHONE_INPUT = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})


class FileCaseForm(forms.Form):
    """ "Get help": which of ``lines`` (``cleaned_data["line"]`` is the
    order line itself), which of ``problems``, and how to reach the
    customer. A single line is chosen already."""

    line = forms.TypedChoiceField(
        label=_("Which item?"), coerce=int, widget=forms.RadioSelect
    )
    problem = forms.ChoiceField(
        label=_("What's wrong?"), choices=Case.Problem.choices, widget=forms.RadioSelect
    )
    quantity = forms.IntegerField(
        label=_("How many?"), min_value=1, max_value=99, initial=1
    )
    remedy = forms.ChoiceField(
        label=_("What would you like? (damaged, defective or wrong item)"),
        choices=[("", _("Let an agent decide")), *Case.Remedy.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("A few words (optional for the obvious ones)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.ChoiceField(
        label=_("How should we reach you?"),
        choices=Case.Contact.choices,
        initial=Case.Contact.MESSAGE,
        widget=forms.RadioSelect,
    )
    phone = PhoneNumberField(
        label=_("Number to call"),
        required=False,
        region=settings.PHONENUMBER_DEFAULT_REGION,
        help_text=_("From your profile; change it if you're somewhere else."),
        widget=PHONE_INPUT,
    )

    def clean(self):
        data = super().clean()
        wants_call = data.get("contact") != Case.Contact.MESSAGE
        if wants_call and not data.get("phone"):
            self.add_error("phone", _("Enter the number we should call."))
        return data

    def __init__(self, *args, lines, problems, line_open=True, opens="", **kwargs):
        super().__init__(*args, **kwargs)
        if not line_open:
            # Outside opening hours "now" is not offered; "later" is the
            # next opening.
            self.fields["contact"].choices = [
                (Case.Contact.MESSAGE, Case.Contact.MESSAGE.label),
                (
                    Case.Contact.CALL_LATER,
                    _("Phone call when the line opens (%(when)s)") % {"when": opens},
                ),
            ]
        self._lines = {line.pk: line for line in lines}
        self.fields["line"].choices = [
            (line.pk, f"{line.quantity} × {line.display_name}") for line in lines
        ]
        if not self.initial.get("line") and len(lines) == 1:
            self.initial["line"] = lines[0].pk
        self.fields["problem"].choices = [(p.value, p.label) for p in problems]

    def clean_line(self):
        return self._lines[self.cleaned_data["line"]]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CallForm(forms.Form):
    """Ask for a call from the case page, or switch its time."""

    when = forms.ChoiceField(
        choices=[("now", _("Call me now")), ("later", _("Call me in 5 minutes"))]
    )
    phone = PhoneNumberField(
        region=settings.PHONENUMBER_DEFAULT_REGION, widget=PHONE_INPUT
    )
