"""The shop's domain errors. Each carries the message the customer sees."""

from django.utils.translation import gettext_lazy as _


class ShopError(Exception):
    """Base class: ``message`` is safe to show to the customer."""

    default_message = _("Something went wrong with your request.")

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class EmptyCart(ShopError):
    default_message = _("Your cart is empty.")


class ProductUnavailable(ShopError):
    default_message = _("That product is not available.")


class InvalidQuantity(ShopError):
    default_message = _("Choose a quantity between 1 and the number in stock.")


class OutOfStock(ShopError):
    default_message = _("Sorry, that item has just sold out.")


class CartChanged(ShopError):
    default_message = _(
        "Your cart changed since you opened checkout. Please check the total "
        "and confirm again."
    )


class CartClosed(ShopError):
    default_message = _(
        "That cart was ordered a moment ago, in another tab, so it can't "
        "change any more. Please try again."
    )


class StoreCreditChanged(ShopError):
    default_message = _(
        "Your store credit balance changed. Please check the total and confirm again."
    )


class AddressNotAllowed(ShopError):
    default_message = _("Choose one of your own addresses.")


class FulfilmentError(ShopError):
    default_message = _("That shipment can't be made.")


class NothingLeftToShip(FulfilmentError):
    """Every unit is already in a parcel: often a second click's answer."""

    default_message = _("Everything in this order is already in a shipment.")


class RefundNotAllowed(ShopError):
    default_message = _("That refund can't be made.")


class PaymentError(ShopError):
    """The provider refused the payment; nothing was charged."""

    default_message = _("The payment didn't go through. Nothing was charged.")


class CardDeclined(PaymentError):
    default_message = _(
        "Your card was declined. Nothing was charged; try another card."
    )


class InsufficientFunds(PaymentError):
    default_message = _(
        "Your card has insufficient funds. Nothing was charged; try another card."
    )


class CardExpired(PaymentError):
    default_message = _("Your card has expired. Nothing was charged.")


class InvalidCard(PaymentError):
    default_message = _("That card number isn't valid. Check it and try again.")


class IdempotencyError(PaymentError):
    """The provider saw this idempotency key before with other parameters (a
    different amount or card): it refuses rather than guess which one was
    meant. Nothing was charged or refunded by this request."""

    default_message = _(
        "This payment was already started with different details. Nothing "
        "was charged; please check the total and confirm again."
    )


class RefundRefused(PaymentError):
    """The provider refused a refund; ``message`` is its reason."""

    default_message = _("The payment provider refused the refund.")
