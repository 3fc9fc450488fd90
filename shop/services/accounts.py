"""The customer's profile and address book."""

from django.conf import settings
from django.db import transaction
from phonenumber_field.phonenumber import PhoneNumber

from core import submissions
from shop.models import Address, User


def update_profile(*, user: User, display_name: str, phone: PhoneNumber | str) -> User:
    user.display_name = display_name
    user.phone = phone
    user.save(update_fields=["display_name", "phone"])
    return user


def remember_language(*, user: User, language: str) -> User:
    """Keep the language the customer reads the site in, for what is written
    to them later (emails, case timeline). Unknown languages are ignored;
    writes only when it changed."""
    language = language.split("-")[0]
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)
    return user


@transaction.atomic
def save_address(
    *,
    user: User,
    address: Address | None = None,
    recipient_name: str,
    country: str = "JP",
    postal_code: str,
    region: str,
    city: str,
    line1: str,
    line2: str = "",
    phone: PhoneNumber | str = "",
    make_default: bool = False,
    submission_key: str | None = None,
) -> Address:
    """Add an address to the book, or change one of the user's own.

    The first address becomes the default. Validation (postal code and
    prefecture for Japan) runs in ``Address.full_clean``.

    Guarantees: a new address sent twice by one form submission
    (``submission_key``) is added once; the twin returns the first one's
    address (a unique constraint on the user and the key). A change is a
    plain overwrite: sent twice, it leaves the same address.
    """
    fields = {
        "recipient_name": recipient_name,
        "country": country,
        "postal_code": postal_code,
        "region": region,
        "city": city,
        "line1": line1,
        "line2": line2,
        "phone": phone,
    }
    if address is None:
        address = Address(user=user, submission_key=submission_key or None)
        if submission_key:
            found = Address.objects.filter(user=user, submission_key=submission_key)
            return submissions.create_once(
                found, lambda: _write_address(user, address, make_default, fields)
            )[0]
    elif address.user_id != user.pk:
        raise Address.DoesNotExist
    return _write_address(user, address, make_default, fields)


def _write_address(
    user: User, address: Address, make_default: bool, fields: dict
) -> Address:
    for name, value in fields.items():
        setattr(address, name, value)
    has_default = user.addresses.filter(is_default=True).exclude(pk=address.pk).exists()
    address.full_clean(exclude=["user", "is_default", "submission_key"])
    address.save()
    if make_default or not has_default:
        set_default_address(user=user, address=address)
    return address


@transaction.atomic
def set_default_address(*, user: User, address: Address) -> Address:
    # Lock the user's addresses so two tabs can't both make a default.
    list(Address.objects.select_for_update().filter(user=user).order_by("pk"))
    Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(
        is_default=False
    )
    Address.objects.filter(pk=address.pk, user=user).update(is_default=True)
    address.is_default = True
    return address


@transaction.atomic
def delete_address(*, user: User, address: Address) -> None:
    """Remove an address; orders keep their own copy of where they shipped.

    If it was the default, the newest remaining address becomes the default.

    Guarantees: deleting twice deletes once; a twin that finds the address
    gone can tell it was this user who deleted it (``submissions.deleted_by``)
    for an hour.
    """
    if address.user_id != user.pk:
        raise Address.DoesNotExist
    was_default = address.is_default
    submissions.remember_deleted(actor_id=user.pk, model=Address, pk=address.pk)
    address.delete()
    if was_default:
        newest = user.addresses.order_by("-created_at").first()
        if newest is not None:
            set_default_address(user=user, address=newest)
