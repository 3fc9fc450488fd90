"""People and where they receive parcels."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from phonenumber_field.modelfields import PhoneNumberField

from core.models import Model
from shop import addresses, regions


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(Model, AbstractUser):
    """A customer or a member of staff; they sign in with their email."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("How the shop addresses you, and how friends find your lists."),
    )
    phone = PhoneNumberField(_("phone number"), blank=True)
    # The language they chose in the header (or first signed in with): emails
    # and timeline entries that staff or workers write for them use it.
    language = models.CharField(_("language"), max_length=8, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def public_name(self) -> str:
        """The name other customers may see: never the email address."""
        return self.display_name or _("A Hoshii customer")

    @property
    def name_in_sentence(self) -> str:
        """The public name as a sentence names the person ("A gift for …"):
        a real name with the language's honorific (Japanese "さん"), and
        for someone who gave none a stand-in that reads inside a sentence,
        never "A gift for A Hoshii customer" or "Hoshiiのお客様さん". A
        sentence that starts with it capitalizes it (``capfirst``)."""
        if self.display_name:
            return pgettext("a person's name in a sentence", "%(name)s") % {
                "name": self.display_name
            }
        return pgettext("someone with no name, in a sentence", "a Hoshii customer")

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name or self.email


class Address(Model):
    """An entry in a customer's address book.

    Japanese addresses are first class: a postal code of the form 123-4567 and
    one of the 47 prefectures, kept as its ISO 3166-2 code ("JP-13") and
    shown in the reader's language. Other countries keep a free-form region,
    which may be empty (Singapore has none, a French address needs none).
    How an address is written is ``shop.addresses.format_address``.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("user")
    )
    recipient_name = models.CharField(_("recipient name"), max_length=120)
    country = models.CharField(_("country"), max_length=2, default="JP")
    postal_code = models.CharField(_("postal code"), max_length=16)
    region = models.CharField(
        _("prefecture / region"),
        max_length=80,
        blank=True,
        help_text=_("For Japan, the prefecture's code (JP-13 is Tokyo)."),
    )
    city = models.CharField(_("city, ward, town"), max_length=120)
    line1 = models.CharField(_("address line 1"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    phone = PhoneNumberField(_("phone number"), blank=True)
    is_default = models.BooleanField(_("default address"), default=False)
    # The form submission that added it: sent twice, it adds one address.
    submission_key = models.CharField(
        max_length=64, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # What the customer edits; orders copy these fields when they are placed.
    EDITABLE_FIELDS = (
        "recipient_name",
        "country",
        "postal_code",
        "region",
        "city",
        "line1",
        "line2",
        "phone",
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(is_default=True),
                name="shop_address_one_default_per_user",
            ),
            models.UniqueConstraint(
                fields=["user", "submission_key"],
                name="shop_address_one_per_submission",
            ),
        ]

    def __str__(self) -> str:
        return addresses.one_line(self.postal)

    def clean(self) -> None:
        errors = {}
        if self.country == "JP":
            try:
                self.postal_code = regions.normalize_jp_postal_code(self.postal_code)
            except ValueError as error:
                errors["postal_code"] = str(error)
            try:
                self.region = regions.prefecture_code(self.region)
            except ValueError as error:
                errors["region"] = str(error)
        if errors:
            raise ValidationError(errors)

    @property
    def postal(self) -> "addresses.PostalAddress":
        """The address to write down (``shop.addresses``); no phone."""
        return addresses.PostalAddress(
            name=self.recipient_name,
            country=self.country,
            postal_code=self.postal_code,
            region=self.region,
            city=self.city,
            line1=self.line1,
            line2=self.line2,
        )

    @property
    def region_display(self) -> str:
        return regions.region_label(self.country, self.region)
