"""The shop's demo data: catalog, customers, staff, a delivered order and
one still waiting for its payment.

Demo orders are real ones: placed by ``place_order`` and paid as a customer
pays, on the built-in test provider's hosted page (``pay_as_the_buyer``), so
seeding needs the test provider. Safe to run again: everything is matched by
a natural key (SKU, slug, email) and updated in place; the demo orders are
placed only once.
"""

import io
import time

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from shop import demo_images, payments, services
from shop.management.demo_catalog import CATEGORIES, PRODUCTS
from shop.models import Category, Order, Product, User

# The test provider's card that always succeeds.
DEMO_CARD = "4242424242424242"
# What the couple's unpaid order holds: nothing the browser journeys buy.
AWAITING_SKU = "HOM-007"

DEMO_PASSWORD = "hoshii-demo"  # noqa: S105 (printed on purpose: demo data)

DEMO_USERS = {
    "shopper": {"email": "shopper@hoshii.test", "display_name": "Haruto Sato",
                "phone": "+819012345678"},
    "couple": {"email": "couple@hoshii.test", "display_name": "Aiko & Ren",
               "phone": "+819087654321"},
    "agent": {"email": "agent@hoshii.test", "display_name": "Mika (support)",
              "phone": "+81312345678", "is_staff": True},
    "admin": {"email": "admin@hoshii.test", "display_name": "Shop admin",
              "is_staff": True, "is_superuser": True},
}  # fmt: skip

DEMO_ADDRESSES = {
    "shopper": {"recipient_name": "佐藤 陽翔", "postal_code": "150-0041",
                "region": "JP-13", "city": "渋谷区神南", "line1": "1-2-3",
                "line2": "メゾン渋谷 402", "phone": "+819012345678"},
    "couple": {"recipient_name": "山田 愛子", "postal_code": "604-8005",
               "region": "JP-26", "city": "京都市中京区",
               "line1": "河原町通三条上る 4-5", "line2": "", "phone": "+819087654321"},
}  # fmt: skip

# Staff who fulfil orders: everything about products, orders and shipments.
FULFILMENT_PERMISSIONS = [
    "view_product", "change_product", "view_category",
    "view_order", "change_order", "view_orderline", "view_payment",
    "view_shipment", "change_shipment", "view_address", "view_user",
]  # fmt: skip


def seed(stdout) -> None:
    if payments.get_provider().name != payments.TestPaymentProvider.name:
        # Demo orders are paid on the test provider's page; a real provider
        # would charge, or refuse, the demo card.
        raise ImproperlyConfigured(
            "seed_demo pays its demo orders through the built-in test provider: "
            "run it with SHOP_PAYMENT_PROVIDER=shop.payments.TestPaymentProvider."
        )
    with transaction.atomic():
        _catalog(stdout)
        users = _users()
    _photos(stdout)
    _demo_order(stdout, users["shopper"])
    _awaiting_order(stdout, users["couple"])


def print_logins(stdout, style) -> None:
    stdout.write(style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
    for key, data in DEMO_USERS.items():
        stdout.write(f"  {key:8} {data['email']}")


def demo_user(key: str) -> User:
    return User.objects.get(email=DEMO_USERS[key]["email"])


def pay_as_the_buyer(order: Order, card: str = DEMO_CARD) -> Order:
    """Pay for an order awaiting payment as its buyer would: the provider's
    hosted page opened for it (``start_payment``), ``card`` typed there, and
    the return page asking the provider (``refresh_payment``). The test
    provider also posts its signed event to the webhook, if one is set.
    Returns the order as it is then: placed."""
    services.start_payment(order=order)
    payment = services.pending_payment(order)
    payments.TestPaymentProvider().pay(payment.session_id, card)
    order = services.refresh_payment(order=order)
    if order.status != Order.Status.PLACED:
        raise RuntimeError(f"Demo order {order.number} is {order.status}, not placed")
    return order


def _checkout(buyer: User, *items: tuple[Product, int]) -> Order:
    """A cart of ``items`` for ``buyer``, checked out to their default
    address: an order awaiting payment."""
    cart = services.create_cart(owner=buyer)
    for product, quantity in items:
        services.add_to_cart(cart=cart, product_id=product.pk, quantity=quantity)
    _lines, totals = services.quote(cart=cart)
    return services.place_order(
        cart=cart,
        buyer=buyer,
        destination=services.Destination(address=buyer.addresses.get(is_default=True)),
        expected_total=totals.total,
    )


def _catalog(stdout) -> None:
    categories = {}
    for position, data in enumerate(CATEGORIES):
        categories[data["slug"]], _ = Category.objects.update_or_create(
            slug=data["slug"],
            defaults={"name": data["name"], "name_ja": data["name_ja"],
                      "position": position},
        )  # fmt: skip
    for data in PRODUCTS:
        Product.objects.update_or_create(
            sku=data["sku"],
            defaults={
                "category": categories[data["category"]],
                "name": data["name"],
                "name_ja": data["name_ja"],
                "name_ja_reading": data.get("name_ja_reading", ""),
                "search_terms": data.get("search_terms", ""),
                "search_terms_ja": data.get("search_terms_ja", ""),
                "slug": slugify(f"{data['name']}-{data['sku']}")[:180],
                "description": data["description"],
                "description_ja": data["description_ja"],
                "price": data["price"],
                "stock_on_hand": data["stock"],
                "manual_url": data["manual_url"],
                "documents": data["documents"],
                "is_active": True,
            },
        )
    stdout.write(f"Catalog: {len(CATEGORIES)} categories, {len(PRODUCTS)} products")


def _photos(stdout) -> None:
    """A drawn photo for every demo product that has none (``shop.demo_images``),
    with its thumbnails; a product that has photos keeps them."""
    started = time.monotonic()
    made = 0
    products = Product.objects.filter(
        sku__in=[data["sku"] for data in PRODUCTS], images__isnull=True
    )
    for product in products:
        picture = demo_images.product_photo(sku=product.sku, name=product.name)
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=88)
        services.add_product_image(
            product=product,
            image_file=ContentFile(buffer.getvalue(), name=f"{product.sku}.jpg"),
            # What the picture shows, more than the name beside it (which a
            # screen reader would otherwise read twice).
            alt=f"{product.name}, front view",
            alt_ja=f"{product.name_ja}（正面）" if product.name_ja else "",
            source=picture,
        )
        made += 1
    stdout.write(f"Photos: {made} drawn in {time.monotonic() - started:.1f} s")


def _users() -> dict[str, User]:
    fulfilment, _ = Group.objects.get_or_create(name="Fulfilment")
    fulfilment.permissions.set(
        Permission.objects.filter(
            content_type__app_label="shop", codename__in=FULFILMENT_PERMISSIONS
        )
    )
    users = {}
    for key, data in DEMO_USERS.items():
        user = User.objects.filter(email=data["email"]).first()
        if user is None:
            user = User(email=data["email"])
        for field, value in data.items():
            setattr(user, field, value)
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user,
            email=user.email,
            defaults={"verified": True, "primary": True},
        )
        users[key] = user
    users["agent"].groups.add(fulfilment)
    for key, fields in DEMO_ADDRESSES.items():
        if not users[key].addresses.exists():
            services.save_address(user=users[key], make_default=True, **fields)
    return users


def _demo_order(stdout, shopper: User) -> None:
    """Five things ordered, four delivered: the order support starts from."""
    if Order.objects.filter(buyer=shopper).exists():
        return
    ink = Product.objects.get(sku="ELE-001")
    printer = Product.objects.get(sku="ELE-002")
    others = Product.objects.exclude(category=ink.category).filter(
        stock_on_hand__gte=5
    )[:2]
    order = pay_as_the_buyer(
        _checkout(shopper, (ink, 2), (printer, 1), *((p, 1) for p in others))
    )
    # All five left the warehouse; one yellow ink cartridge never
    # reached the box, which is what the customer will report.
    shipment = services.create_shipment_for_remaining(order=order, actor=None)
    services.mark_shipped(
        shipment=shipment, actor=None, tracking_number="HP-2026-000123"
    )
    services.mark_delivered(shipment=shipment, actor=None)
    stdout.write(f"Demo order {order.number} for {shopper.email}")


def _awaiting_order(stdout, couple: User) -> None:
    """The couple left the payment page without paying: an order awaiting
    payment, its stock held, to pay or cancel from its page (until the
    sweep closes it after SHOP_PAYMENT_MINUTES)."""
    if Order.objects.filter(buyer=couple, gift__isnull=True).exists():
        return
    order = _checkout(couple, (Product.objects.get(sku=AWAITING_SKU), 1))
    services.start_payment(order=order)
    stdout.write(f"Demo order {order.number} for {couple.email}, awaiting payment")
