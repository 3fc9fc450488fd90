from django import forms
from django.utils.translation import gettext_lazy as _

from gifts.models import GiftReturn
from shop.forms import PaymentForm


class GiftCheckoutForm(PaymentForm):
    message = forms.CharField(
        label=_("Gift message"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed on the gift receipt. No prices are shown."),
    )
    shows_giver_name = forms.TypedChoiceField(
        label=_("Who is it from?"),
        choices=[("yes", _("Show my name")), ("no", _("Say it's from “a friend”"))],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    discloses_address = forms.BooleanField(
        label=_("Let them see my address, for a thank-you card"),
        required=False,
        help_text=_(
            "Off unless you tick it. They never see it otherwise. If you send it "
            "as “a friend”, your address is shown without your name."
        ),
    )
    allow_over_gift = forms.BooleanField(required=False, widget=forms.HiddenInput)
    field_order = [
        "message",
        "shows_giver_name",
        "discloses_address",
        "use_store_credit",
    ]


class ThankYouForm(forms.Form):
    note = forms.CharField(
        label=_("Your thank-you note"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, address_sharing: str = "", **kwargs):
        """``address_sharing``: whose address each side sees, as the giver
        chose (``gifts.selectors.address_sharing``), said under the note."""
        super().__init__(*args, **kwargs)
        # One sentence pair per language: Japanese joins them without a space.
        self.fields["note"].help_text = _("We pass it on. %(who_sees_what)s") % {
            "who_sees_what": address_sharing
        }


class ReturnForm(forms.ModelForm):
    line = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = GiftReturn
        fields = ["kind", "quantity", "reason"]
        widgets = {
            "kind": forms.RadioSelect,
            "quantity": forms.NumberInput(attrs={"min": 1}),
        }
