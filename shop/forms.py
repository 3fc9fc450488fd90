"""Forms for the shop's pages. Validation of input only; changes are services."""

from allauth.account import forms as account_forms
from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from core import submissions
from shop import regions, selectors
from shop.models import Address, User

# The most of one product a form takes at once.
MOST_AT_ONCE = 999


def _quantity_field(
    *, min_value: int, below_minimum: str, **options
) -> forms.IntegerField:
    """A quantity as the shop's forms take it: a whole number from
    ``min_value`` (``below_minimum`` says so) up to ``MOST_AT_ONCE``."""
    return forms.IntegerField(
        label=_("Quantity"),
        min_value=min_value,
        max_value=MOST_AT_ONCE,
        error_messages={
            "invalid": _("Enter a whole number."),
            "min_value": below_minimum,
            "max_value": _("That's more than we can sell at once."),
        },
        **options,
    )


class QuantityForm(forms.Form):
    quantity = _quantity_field(
        min_value=1, below_minimum=_("Choose a quantity of at least 1."), initial=1
    )


class CartLineForm(forms.Form):
    """A cart line's new quantity; zero removes the line."""

    quantity = _quantity_field(
        min_value=0, below_minimum=_("The quantity can't be negative.")
    )


def _phone_input(autocomplete: str) -> forms.TextInput:
    """A phone number's input: the phone keypad, and the browser offers the
    number it knows."""
    return forms.TextInput(attrs={"type": "tel", "autocomplete": autocomplete})


class ProfileForm(forms.ModelForm):
    phone = PhoneNumberField(
        label=_("Phone number"),
        required=False,
        region=settings.PHONENUMBER_DEFAULT_REGION,
        help_text=_("Used when you ask us to call you. For example 090-1234-5678."),
        widget=_phone_input("tel"),
    )

    class Meta:
        model = User
        fields = ["display_name", "phone"]
        widgets = {"display_name": forms.TextInput(attrs={"autocomplete": "nickname"})}


def _autocomplete(token: str, **attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": f"shipping {token}", **attrs})


class AddressForm(forms.ModelForm):
    """An address book entry. A Japanese address picks one of the 47
    prefectures; any other country types its region, or leaves it empty.
    Both fields are on the page, so the form works without JavaScript;
    ``static/js/address-form.js`` shows only the one the country needs.
    The prefecture is kept in ``region`` as its code (``shop.regions``).

    Every field carries the ``autocomplete`` token browsers and password
    managers fill from (``shipping``: these are where parcels go).
    """

    country = forms.ChoiceField(
        label=_("Country"),
        choices=regions.country_choices,
        widget=forms.Select(attrs={"autocomplete": "shipping country"}),
    )
    prefecture = forms.ChoiceField(
        label=_("Prefecture"),
        required=False,
        help_text=_("For an address in Japan."),
        widget=forms.Select(attrs={"autocomplete": "shipping address-level1"}),
    )
    phone = PhoneNumberField(
        label=_("Phone number"),
        required=False,
        region=settings.PHONENUMBER_DEFAULT_REGION,
        help_text=_("For the carrier, if they need to reach the recipient."),
        widget=_phone_input("shipping tel"),
    )
    make_default = forms.BooleanField(
        label=_("Make this my default address"), required=False
    )

    class Meta:
        model = Address
        fields = Address.EDITABLE_FIELDS
        labels = {"region": _("State, province or region")}
        help_texts = {
            "region": _("Outside Japan, if the address has one."),
        }
        widgets = {
            "recipient_name": _autocomplete("name"),
            "postal_code": _autocomplete("postal-code"),
            "region": _autocomplete("address-level1"),
            "city": _autocomplete("address-level2"),
            "line1": _autocomplete("address-line1"),
            "line2": _autocomplete("address-line2"),
        }

    field_order = [
        "recipient_name", "country", "postal_code", "prefecture", "region",
        "city", "line1", "line2", "phone", "make_default",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].choices = [
            ("", _("Choose a prefecture")),
            *regions.prefecture_choices(),
        ]
        instance = self.instance
        if instance.pk and instance.country == "JP":
            prefecture = regions.find_prefecture(instance.region)
            self.initial["prefecture"] = prefecture.code if prefecture else ""
            # Only a value that is no prefecture (from before the list) is
            # left in the text field, for the customer to see and fix.
            self.initial["region"] = "" if prefecture else instance.region

    def clean(self):
        data = super().clean()
        if data.get("country") == "JP":
            # The list, or else a prefecture typed in the text field by
            # someone whose browser shows both (no JavaScript). Whether it
            # is one is ``Address.clean``'s to say.
            data["region"] = data.get("prefecture") or data.get("region", "")
        return data

    def _post_clean(self) -> None:
        super()._post_clean()
        # For Japan, the model's word on the region belongs by the list.
        if self.cleaned_data.get("country") == "JP" and "region" in self._errors:
            self.add_error("prefecture", self._errors.pop("region"))


class PaymentForm(forms.Form):
    """What every checkout posts to pay: the cart and the total the buyer
    saw (a resubmission finds the order already placed, a cart changed
    since asks to confirm again), and whether store credit pays first. The
    card is paid on the payment provider's page, never posted here."""

    cart = forms.IntegerField(widget=forms.HiddenInput)
    expected_total = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    use_store_credit = forms.BooleanField(
        label=_("Pay with my store credit first"), required=False, initial=True
    )


class _ChoicesWhenShown(forms.models.ModelChoiceIterator):
    """The field's choices, its query set read when they are iterated."""

    def __init__(self, field) -> None:
        self.field = field

    @property
    def queryset(self):
        return self.field.queryset


class OwnAddressField(forms.ModelChoiceField):
    """One of the buyer's addresses (``owner``): offered from their address
    book, and the one posted read by ``selectors.own_address``, a statement
    built once per process (every checkout posts it). The choices' query
    set is only built when they are shown: a post that is valid never
    needs it."""

    iterator = _ChoicesWhenShown

    def __init__(self, **kwargs) -> None:
        self.owner: User | None = None
        super().__init__(queryset=None, **kwargs)

    def offer_to(self, owner: User) -> None:
        self.owner = owner
        self.queryset = None  # the owner's, built when the choices are shown

    @property
    def queryset(self):
        if self._queryset is None and self.owner is not None:
            self._queryset = selectors.address_book(user=self.owner)
        return self._queryset

    @queryset.setter
    def queryset(self, queryset) -> None:
        self._queryset = queryset
        self.widget.choices = self.choices

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return selectors.own_address(user=self.owner, pk=int(value))
        except (TypeError, ValueError, Address.DoesNotExist):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


class CheckoutForm(PaymentForm):
    address = OwnAddressField(
        label=_("Ship to"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose where to ship your order."),
            "invalid_choice": _("Choose one of your own addresses."),
        },
    )
    field_order = ["address", "use_store_credit"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].offer_to(user)


class LoginForm(account_forms.LoginForm):
    """allauth's log-in form, with a wrong password shown under the password.

    allauth reports "email and/or password not correct" for the whole form,
    which a page shows above (or, as a list of fields, under) the email. It
    belongs with the password, where the customer will retype.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remember"].label = _("Stay logged in on this browser")

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            if error.code != "email_password_mismatch":
                raise
            self.add_error("password", error)
            return self.cleaned_data


class SignupForm(account_forms.SignupForm):
    """allauth's sign-up form, safe to send twice at the same moment.

    Both requests of a double click may pass allauth's "is this email free?"
    check before either has written the account; the second then meets the
    unique email index. Or the first has committed, and allauth would tell
    the second "you already have an account" by email. Either way the twin
    (the same ``submission`` key, with the same email) answers as the first
    does ("we sent you an email to confirm") without writing or sending
    anything: the first request made the account and sends the one email.
    """

    submission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission"].initial = submissions.new_key()

    def try_save(self, request):
        key = submissions.key_from(self.data)
        email = self.cleaned_data.get("email", "")
        if self.account_already_exists and _signed_up_by(key) == email.lower():
            return None, self._same_answer(request)
        try:
            with transaction.atomic():
                user, response = super().try_save(request)
        except IntegrityError:
            if not User.objects.filter(email__iexact=email).exists():
                raise
            return None, self._same_answer(request)
        if user is not None:
            cache.set(_SIGNUP_KEY.format(key), email.lower(), 3600)
        return user, response

    def _same_answer(self, request):
        return get_adapter(request).respond_email_verification_sent(request, None)


_SIGNUP_KEY = "submissions:signup:{}"


def _signed_up_by(key: str) -> str | None:
    """The email the sign-up with this submission key made an account for."""
    return cache.get(_SIGNUP_KEY.format(key))


class ResetPasswordForm(account_forms.ResetPasswordForm):
    """allauth's "forgot password" form, sending one email per submission.

    A double click (or a browser retry) of the same form would otherwise
    mail two reset links. The first request to claim the ``submission``
    key in the shared cache sends the email; its twin answers the same
    "we've sent you an email" page and sends nothing. A new visit to the
    form is a new key, so asking again later still works.
    """

    submission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission"].initial = submissions.new_key()

    def save(self, request, **kwargs) -> str:
        key = _RESET_KEY.format(submissions.key_from(self.data))
        if not cache.add(key, True, 3600):
            return self.cleaned_data["email"]
        return super().save(request, **kwargs)


_RESET_KEY = "submissions:reset-password:{}"
