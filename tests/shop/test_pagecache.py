"""The catalog's cached pages (``core.pagecache``) show at once what changes
them through the ORM, the admin or the services: the shop renews its scopes
(``shop.signals``, ``shop.services.stock``)."""

import pytest
from django.test import Client
from django.urls import reverse

from shop import services
from shop.models import OrderLine
from tests.core.test_pagecache import LIST, page

from .factories import (
    CategoryFactory,
    ProductFactory,
    UserFactory,
    placed_order,
    sign_in_staff,
)

# Versions are renewed when a change commits: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def test_changes_through_save_the_admin_or_a_checkout_show_at_once(client):
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    product = ProductFactory(
        name="Linen towel", price=2400, stock_on_hand=10, category=kitchen
    )
    detail = product.get_absolute_url()
    assert "¥2,400" in page(client, LIST)[0]
    assert "10 in stock" in page(client, detail)[0]
    product.price = 2600
    product.save()
    assert "¥2,600" in page(client, LIST)[0]
    assert "¥2,600" in page(client, detail)[0]
    kitchen.name = "Cookware"
    kitchen.save()
    assert "Cookware" in page(client, detail)[0]

    staff = Client()
    sign_in_staff(staff, UserFactory(is_staff=True, is_superuser=True))
    changed = staff.get(reverse("admin:shop_product_change", args=[product.pk]))
    form = changed.context["adminform"].form
    data = {
        name: value
        for name, value in {**form.initial, "name": "Hemp towel"}.items()
        if value is not None
    }
    data["category"] = kitchen.pk
    # The photos inline, left empty.
    data |= {"images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0"}
    response = staff.post(reverse("admin:shop_product_change", args=[product.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "Hemp towel" in page(client, LIST)[0]

    # A checkout changes the exact stock on the product's page at once.
    page(client, detail)
    assert page(client, detail)[1]
    placed_order(None, (product, 2))
    assert "8 in stock" in page(client, detail)[0]


def test_a_checkout_leaves_catalog_pages_cached_unless_a_card_changes(client):
    product = ProductFactory(stock_on_hand=6)
    page(client, LIST)
    placed_order(None, (product, 1))  # 6 -> 5: the card shows nothing either way
    assert page(client, LIST)[1]
    placed_order(None, (product, 2))  # 5 -> 3
    html, cached = page(client, LIST)
    assert not cached
    assert "Only 3 left" in html
    order = placed_order(None, (product, 1))  # 3 -> 2
    assert "Only 2 left" in page(client, LIST)[0]
    # A missing item re-shipped takes stock too.
    line = OrderLine.objects.get(order=order)
    services.create_replacement_shipment(order_line=line, quantity=1, actor=None)
    assert "Only 1 left" in page(client, LIST)[0]


def test_a_deactivated_product_is_gone_at_once(client):
    product = ProductFactory(name="Linen towel")
    page(client, product.get_absolute_url())
    product.is_active = False
    product.save()
    assert client.get(product.get_absolute_url()).status_code == 404
    assert "Linen towel" not in page(client, LIST)[0]


def test_the_catalog_is_counted_once_until_it_changes(client, settings):
    """The catalog's count (``shop.selectors.catalog_count``) is kept until
    a product is added, removed or deactivated: the pages, signed in or
    not, count right at once, and other changes cost no count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shop.selectors import catalog_count

    settings.SHOP_PRODUCTS_PER_PAGE = 2
    kitchen = CategoryFactory(slug="kitchen")
    products = ProductFactory.create_batch(4, category=kitchen)
    buyer = Client()
    buyer.force_login(UserFactory())

    def pages(client, **params) -> int:
        return client.get(LIST, params).context["page"].paginator.num_pages

    assert (pages(buyer), pages(buyer, category="kitchen")) == (2, 2)
    with CaptureQueriesContext(connection) as counted:
        assert (catalog_count(), catalog_count(category=kitchen)) == (4, 4)
    assert not counted.captured_queries
    ProductFactory(category=kitchen)
    assert (pages(buyer), pages(client, category="kitchen")) == (3, 3)
    products[0].is_active = False
    products[0].save()
    assert (catalog_count(), pages(buyer, category="kitchen")) == (4, 2)
    products[1].delete()
    assert catalog_count(category=kitchen) == 3
