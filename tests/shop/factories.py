"""Test data for the shop, built with factory_boy."""

import base64
import hashlib
import hmac
import struct
import time

import factory
from allauth.account.models import EmailAddress
from django.urls import reverse

from shop import services
from shop.models import (
    Address,
    Cart,
    Category,
    Order,
    Product,
    ProductImage,
    Shipment,
    User,
)
from shop.payments import TestPaymentProvider

TEST_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(
                user=self, email=self.email, verified=True, primary=True
            )


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    recipient_name = factory.Faker("name")
    country = "JP"
    postal_code = "150-0041"
    region = "JP-13"
    city = "渋谷区神南"
    line1 = factory.Sequence(lambda n: f"{n + 1}-2-3")
    phone = "+819012345678"
    is_default = False


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    name_ja = factory.Sequence(lambda n: f"カテゴリー {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    category = factory.SubFactory(CategoryFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    name_ja = factory.Sequence(lambda n: f"商品 {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A fine thing."
    price = 1200
    stock_on_hand = 10
    is_active = True


class ProductImageFactory(factory.django.DjangoModelFactory):
    """A photo row with thumbnail names but no files: for counting queries
    and rendering markup. Tests of the files use ``add_product_image``."""

    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    position = factory.Sequence(lambda n: n)
    image = factory.Sequence(lambda n: f"products/test/{n:06d}.jpg")
    width = 1280
    height = 960
    alt = factory.LazyAttribute(lambda o: f"{o.product.name}, front")
    alt_ja = factory.LazyAttribute(lambda o: f"{o.product.name_ja} 正面")
    renditions = factory.LazyAttribute(
        lambda o: [
            {
                "width": w,
                "height": w * 3 // 4,
                "jpeg": o.image.replace(".jpg", f".w{w}.jpg"),
                "webp": o.image.replace(".jpg", f".w{w}.webp"),
            }
            for w in (96, 192, 320, 640, 960, 1280)
        ]
    )


def photographed(products, per_product: int = 2):
    """Give each of ``products`` photos; returns the products."""
    for product in products:
        ProductImageFactory.create_batch(per_product, product=product)
    return products


def cart_with(user: User | None, *items: tuple[Product, int]) -> Cart:
    """An open cart holding the given products and quantities."""
    cart = services.create_cart(owner=user)
    for product, quantity in items:
        services.add_to_cart(cart=cart, product_id=product.pk, quantity=quantity)
    return cart


def expected_total(cart: Cart) -> int:
    return services.quote(cart=cart)[1].total


def placed_order(
    buyer: User | None = None,
    *items: tuple[Product, int],
    destination: services.Destination | None = None,
    use_store_credit: bool = False,
) -> Order:
    """A paid order of ``items`` (one new product by default) for ``buyer``,
    on the test card (after the buyer's store credit, with
    ``use_store_credit``)."""
    buyer = buyer or UserFactory()
    cart = cart_with(buyer, *(items or [(ProductFactory(), 1)]))
    order = services.place_order(
        cart=cart,
        buyer=buyer,
        destination=destination
        or services.Destination(address=AddressFactory(user=buyer)),
        expected_total=expected_total(cart),
        use_store_credit=use_store_credit,
    )
    return pay(order)


def session_of(url: str) -> str:
    """The test provider's session id in its hosted page's URL."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def pay(order: Order, card: str = TEST_CARD) -> Order:
    """Pay for an order awaiting payment as its buyer would: on the test
    provider's hosted page with ``card``, then back to the shop's return
    page, which asks the provider. Returns the order as it is then."""
    url = services.start_payment(order=order)
    if url is not None:
        TestPaymentProvider().pay(session_of(url), card)
    return services.refresh_payment(order=order)


def pay_in_browser(client, response, card: str = TEST_CARD):
    """Follow a checkout's redirect to the test provider's hosted page, pay
    there with ``card``, and follow back to the shop: the last response."""
    page = response["Location"]
    return client.post(page, {"card_number": card}, follow=True)


def checkout_form(cart: Cart, address: Address, *, total: int | None = None) -> dict:
    """The checkout form as the buyer sends it: this cart to this address,
    at the total the page showed (or ``total``). The card is paid on the
    provider's page after it (``pay_in_browser``)."""
    return {
        "cart": cart.pk,
        "address": address.pk,
        "expected_total": expected_total(cart) if total is None else total,
    }


def deliver(order: Order) -> Shipment:
    """Ship everything not yet shipped in one parcel, and deliver it."""
    shipment = services.create_shipment_for_remaining(order=order, actor=None)
    services.mark_shipped(shipment=shipment, actor=None)
    services.mark_delivered(shipment=shipment, actor=None)
    return shipment


# --- Staff sign-in with a second factor, as the admin requires --------------

STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 code, computed here independently of allauth."""
    key = base64.b32decode(secret, casefold=True)
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF) % 10**6
    return f"{value:06d}"


def sign_in_staff(client, user: User) -> None:
    """Log ``user`` in through the site's login with password and TOTP code."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=user,
        type=Authenticator.Type.TOTP,
        defaults={"data": {"secret": get_adapter().encrypt(STAFF_TOTP_SECRET)}},
    )
    sign_in_with_totp(client, user.email, PASSWORD, STAFF_TOTP_SECRET)


def sign_in_with_totp(client, email: str, password: str, secret: str) -> None:
    """The site's login: password, then the authenticator's current code."""
    response = client.post(
        reverse("account_login"), {"login": email, "password": password}
    )
    assert response["Location"] == reverse("mfa_authenticate"), response
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content
