"""Forms for the shop's pages. Validation of input only; changes are services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from shop import regions
from shop.models import Address, User


class CardNumberInput(forms.TextInput):
    """A card number field that is never sent back to the browser.

    After a form error the customer types it again rather than having the
    full number echoed into the page.
    """

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(
            attrs={"autocomplete": "cc-number", "inputmode": "numeric", **(attrs or {})}
        )

    def format_value(self, value) -> None:
        return None


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=999,
        initial=1,
        error_messages={
            "invalid": _("Enter a whole number."),
            "min_value": _("Choose a quantity of at least 1."),
            "max_value": _("That's more than we can sell at once."),
        },
    )


class CartLineForm(forms.Form):
    """A cart line's new quantity; zero removes the line."""

    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=0,
        max_value=999,
        error_messages={
            "invalid": _("Enter a whole number."),
            "min_value": _("The quantity can't be negative."),
            "max_value": _("That's more than we can sell at once."),
        },
    )


class ProfileForm(forms.ModelForm):
    phone = PhoneNumberField(
        label=_("Phone number"),
        required=False,
        region=settings.PHONENUMBER_DEFAULT_REGION,
        help_text=_("Used when you ask us to call you. For example 090-1234-5678."),
    )

    class Meta:
        model = User
        fields = ["display_name", "phone"]


class AddressForm(forms.ModelForm):
    country = forms.ChoiceField(label=_("Country"), choices=regions.country_choices)
    phone = PhoneNumberField(
        label=_("Phone number"),
        required=False,
        region=settings.PHONENUMBER_DEFAULT_REGION,
        help_text=_("For the carrier, if they need to reach the recipient."),
    )
    make_default = forms.BooleanField(
        label=_("Make this my default address"), required=False
    )

    class Meta:
        model = Address
        fields = Address.EDITABLE_FIELDS
        widgets = {"region": forms.TextInput(attrs={"list": "prefectures"})}


class CheckoutForm(forms.Form):
    address = forms.ModelChoiceField(
        label=_("Ship to"),
        queryset=Address.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose where to ship your order."),
            "invalid_choice": _("Choose one of your own addresses."),
        },
    )
    use_store_credit = forms.BooleanField(
        label=_("Pay with my store credit first"), required=False, initial=True
    )
    card_number = forms.CharField(
        label=_("Card number"),
        required=False,
        max_length=23,
        widget=CardNumberInput,
    )
    # The cart and the total the buyer saw: a resubmission finds the order
    # already placed, and a cart changed since asks to confirm again.
    cart = forms.IntegerField(widget=forms.HiddenInput)
    expected_total = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].queryset = user.addresses.all()
