"""The cart page's lines are cached (core.fragments): whatever changes in a
line shows at once, and nothing of one customer's request reaches another's."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from shop import selectors, services
from shop.models import Product, ProductImage
from tests.queries import queries_for

from .factories import ProductFactory, UserFactory, cart_with, photographed

pytestmark = pytest.mark.django_db


def _cart_page(client: Client) -> str:
    response = client.get(reverse("shop:cart"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_cached_line_shows_every_change_at_once(client, buyer):
    product = photographed([ProductFactory(name="Kettle", price=3000)])[0]
    cart = cart_with(buyer, (product, 1))
    first = _cart_page(client)
    assert "Kettle" in first and 'name="quantity" value="1"' in first
    assert "Kettle" in _cart_page(client)  # now from the cache

    services.set_line_quantity(cart=cart, product_id=product.pk, quantity=2)
    assert 'name="quantity" value="2"' in _cart_page(client)
    Product.objects.filter(pk=product.pk).update(name="Copper kettle", price=4000)
    page = _cart_page(client)
    assert "Copper kettle" in page and "4,000" in page and "8,000" in page
    Product.objects.filter(pk=product.pk).update(stock_on_hand=1)
    assert "Only 1 in stock" in _cart_page(client)
    Product.objects.filter(pk=product.pk).update(is_active=False)
    assert "No longer sold" in _cart_page(client)
    photo = ProductImage.objects.filter(product=product).order_by("position").first()
    photo.alt = "Steam rising from the spout"
    photo.save()  # as an edit in the admin: a new updated_at
    assert "Steam rising from the spout" in _cart_page(client)


def test_a_cached_line_carries_each_requests_own_csrf_token(buyer):
    product = ProductFactory(name="Kettle")
    other = UserFactory()
    cart_with(buyer, (product, 1))
    cart_with(other, (product, 1))
    pages = []
    for user in (buyer, other):
        client = Client()
        client.force_login(user)
        pages.append((client, _cart_page(client)))
    secrets = []
    for client, page in pages:
        fields = _field_values(page, "csrfmiddlewaretoken")
        # The header's two forms and the line's two, all with the secret in
        # this client's cookie.
        assert len(fields) == 4
        assert {_unmask_cipher_token(field) for field in fields} == {
            client.cookies["csrftoken"].value
        }
        secrets.append(client.cookies["csrftoken"].value)
    assert secrets[0] != secrets[1]


def test_a_cached_cart_page_costs_two_queries(client, buyer):
    products = photographed(ProductFactory.create_batch(5))
    cart_with(buyer, *((product, 1) for product in products))
    first = queries_for(client, reverse("shop:cart"))
    second = queries_for(client, reverse("shop:cart"))
    # The user; the lines with their products and which photo each shows;
    # the photos only when the lines were not cached yet.
    assert len(first) == 3
    assert len(second) == 2, "\n".join(second)


def test_after_an_add_only_the_new_line_is_rendered(client, buyer):
    """Each line is cached on its own: the lines already there come from the
    cache, and only the new one's photo is read."""
    kept = photographed(ProductFactory.create_batch(4))
    added = photographed([ProductFactory(name="Teapot")])[0]
    cart_with(buyer, *((product, 1) for product in kept))
    queries_for(client, reverse("shop:cart"))
    response = client.post(reverse("shop:cart_add", args=[added.pk]), {"quantity": 1})
    assert response.status_code == 302
    queries = queries_for(client, reverse("shop:cart"))
    # The user, the lines, and the photo of the one line not cached, by the
    # id the lines named (no window picking each product's first again).
    assert len(queries) == 3, "\n".join(queries)
    photos = re.findall(r'"shop_productimage"."id" IN \(([^)]*)\)', queries[2])
    assert photos == [str(added.first_image.pk)], queries[2]
    assert "ROW_NUMBER" not in queries[2]
    page = _cart_page(client)
    assert page.count("<tr>") == 1 + 5 and "Teapot" in page
    assert len(_field_values(page, "csrfmiddlewaretoken")) == 2 + 2 * 5


def test_the_lines_read_names_the_photo_the_page_shows(buyer):
    """The lines' key columns pick the same first photo as the photos read
    (shop.images), also after the photos are put in another order."""
    product = photographed([ProductFactory()], per_product=3)[0]
    cart_with(buyer, (product, 1))
    photos = list(ProductImage.objects.filter(product=product).order_by("position"))
    for order in ([0, 1, 2], [2, 0, 1]):
        for position, photo in zip(order, photos, strict=True):
            ProductImage.objects.filter(pk=photo.pk).update(position=position)
        (line,) = selectors.cart_page_lines(owner_id=buyer.pk)
        selectors.with_photos([line.product])
        assert (line.first_image_pk, line.first_image_at) == (
            line.product.first_image.pk,
            line.product.first_image.updated_at,
        )
        assert line.first_image_pk == photos[order.index(0)].pk
        # The page's read by key gives the same photo.
        (line,) = selectors.cart_page_lines(owner_id=buyer.pk)
        selectors.with_named_photos([line])
        assert line.product.first_image == photos[order.index(0)]


def test_a_line_without_a_photo_or_whose_photo_just_went_shows_none(buyer):
    bare = ProductFactory(name="Plain")
    pictured = photographed([ProductFactory(name="Pictured")])[0]
    cart_with(buyer, (bare, 1), (pictured, 1))
    lines = selectors.cart_page_lines(owner_id=buyer.pk)
    ProductImage.objects.filter(product=pictured).delete()  # between the reads
    selectors.with_named_photos(lines)
    assert [line.product.first_image for line in lines] == [None, None]


def _field_values(page: str, name: str) -> list[str]:
    marker = f'name="{name}" value="'
    return [part.split('"', 1)[0] for part in page.split(marker)[1:]]
