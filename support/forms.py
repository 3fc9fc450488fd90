from django import forms
from django.utils.translation import gettext_lazy as _

from support.models import Case


class FileCaseForm(forms.Form):
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
        choices=[(Case.Contact.MESSAGE, Case.Contact.MESSAGE.label)],
        initial=Case.Contact.MESSAGE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, lines, problems, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [
            (line.pk, f"{line.quantity} × {line.name}") for line in lines
        ]
        self.fields["problem"].choices = [(p.value, p.label) for p in problems]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
