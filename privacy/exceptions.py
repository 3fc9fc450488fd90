"""What the privacy verbs refuse, each with its own message."""

from django.utils.translation import gettext_lazy as _


class PrivacyError(Exception):
    message = _("That could not be done.")


class ReasonRequired(PrivacyError):
    message = _(
        "Say which written request of the customer this is (its reference) and why."
    )
