"""Callback errors; each carries the message the customer sees."""

from django.utils.translation import gettext_lazy as _


class CallbackError(Exception):
    default_message = _("We can't arrange that call.")

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NumberNotAllowed(CallbackError):
    default_message = _("We can only call numbers in Japan. Check the number.")


class NumberKindNotAllowed(NumberNotAllowed):
    """Shared-cost (0570), premium-rate, toll-free, VoIP, pager and personal
    numbers cost the shop by the minute or never belong to one customer."""

    default_message = _(
        "We can only call a mobile or landline number. Numbers such as 0570, "
        "0120, 0800, 050 or premium-rate lines can't be called; please give "
        "another number."
    )


class TooManyCallbacks(CallbackError):
    default_message = _(
        "You've asked for several calls in the last hour. Please wait a little, "
        "or write to us instead."
    )


class NumberCalledTooOften(TooManyCallbacks):
    default_message = _(
        "We've been asked to call this number several times in the last hour. "
        "Please wait a little, or write to us instead."
    )


class CallsPaused(CallbackError):
    """The whole shop's hourly cap on calls is reached."""

    default_message = _(
        "We're receiving too many call requests right now, so we can't arrange "
        "a call. Please write to us instead; an agent will reply."
    )


class OutsideHours(CallbackError):
    default_message = _("Our phone line is closed right now.")


class TooLateToChange(CallbackError):
    default_message = _("The call has already started, so it can't be changed.")


# Provider errors, raised by dialers.
class ProviderError(Exception):
    """The provider refused or failed; ``retryable`` says whether to try again."""

    def __init__(self, message: str, *, retryable: bool, code: int | None = None):
        self.retryable = retryable
        self.code = code
        super().__init__(message)
