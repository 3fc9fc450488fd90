"""Cart rules: quantities within stock and limits, and the login merge."""

import pytest
from django.urls import reverse

from shop import services
from shop.exceptions import CartClosed, InvalidQuantity, ProductUnavailable
from shop.models import Cart

from .factories import ProductFactory, UserFactory, cart_with

pytestmark = pytest.mark.django_db


def test_adding_twice_adds_up():
    product = ProductFactory(stock_on_hand=10)
    cart = cart_with(None, (product, 2), (product, 3))
    assert cart.lines.get().quantity == 5


@pytest.mark.parametrize("quantity", [0, -1])
def test_zero_or_negative_quantity_is_refused(quantity):
    cart = services.create_cart(owner=None)
    with pytest.raises(InvalidQuantity):
        services.add_to_cart(
            cart=cart, product_id=ProductFactory().pk, quantity=quantity
        )
    assert not cart.lines.exists()


def test_more_than_stock_is_refused():
    product = ProductFactory(stock_on_hand=3)
    cart = cart_with(None, (product, 2))
    with pytest.raises(InvalidQuantity, match="at most 3"):
        services.add_to_cart(cart=cart, product_id=product.pk, quantity=2)
    assert cart.lines.get().quantity == 2


def test_per_line_limit(settings):
    settings.SHOP_MAX_LINE_QUANTITY = 4
    product = ProductFactory(stock_on_hand=100)
    cart = services.create_cart(owner=None)
    with pytest.raises(InvalidQuantity):
        services.add_to_cart(cart=cart, product_id=product.pk, quantity=5)


def test_inactive_or_unknown_product_is_refused():
    cart = services.create_cart(owner=None)
    with pytest.raises(ProductUnavailable):
        services.add_to_cart(
            cart=cart, product_id=ProductFactory(is_active=False).pk, quantity=1
        )
    with pytest.raises(ProductUnavailable):
        services.add_to_cart(cart=cart, product_id=987654, quantity=1)


def test_set_quantity_and_remove():
    product = ProductFactory(stock_on_hand=10)
    cart = cart_with(None, (product, 2))
    services.set_line_quantity(cart=cart, product_id=product.pk, quantity=7)
    assert cart.lines.get().quantity == 7
    services.set_line_quantity(cart=cart, product_id=product.pk, quantity=0)
    assert not cart.lines.exists()


def test_a_cart_ordered_since_it_was_read_takes_no_more_lines():
    """Another tab's checkout commits between this request reading the
    open cart and changing it: the change is refused, not lost in a cart
    that belongs to an order and is no one's cart any more."""
    kettle, mug = ProductFactory(stock_on_hand=10), ProductFactory(stock_on_hand=10)
    cart = cart_with(UserFactory(), (kettle, 1))
    Cart.objects.filter(pk=cart.pk).update(status=Cart.Status.ORDERED)
    with pytest.raises(CartClosed):
        services.add_to_cart(cart=cart, product_id=mug.pk, quantity=1)
    with pytest.raises(CartClosed):
        services.set_line_quantity(cart=cart, product_id=kettle.pk, quantity=3)
    assert [(line.product, line.quantity) for line in cart.lines.all()] == [(kettle, 1)]


def test_an_open_cart_not_loaded_is_found_and_added_to():
    """``OpenCart``: the customer's open cart, or a visitor's by id, found
    by the statement that locks it; none open is ``CartClosed``, with
    nothing written; someone else's cart is never one of them."""
    kettle = ProductFactory(stock_on_hand=10)
    customer = UserFactory()
    cart = cart_with(customer, (kettle, 1))
    line = services.add_to_cart(
        cart=services.OpenCart(owner_id=customer.pk), product_id=kettle.pk, quantity=2
    )
    assert (line.cart_id, line.quantity) == (cart.pk, 3)
    assert cart.lines.get().quantity == 3
    version = Cart.objects.get(pk=cart.pk).version
    Cart.objects.filter(pk=cart.pk).update(status=Cart.Status.ORDERED)
    with pytest.raises(CartClosed):
        services.add_to_cart(
            cart=services.OpenCart(owner_id=customer.pk),
            product_id=kettle.pk,
            quantity=1,
        )
    with pytest.raises(CartClosed):  # a customer's cart is no visitor's
        services.add_to_cart(
            cart=services.OpenCart(cart_id=cart_with(UserFactory()).pk),
            product_id=kettle.pk,
            quantity=1,
        )
    assert Cart.objects.get(pk=cart.pk).version == version
    assert cart.lines.get().quantity == 3
    visitors = cart_with(None, (kettle, 1))
    services.add_to_cart(
        cart=services.OpenCart(cart_id=visitors.pk), product_id=kettle.pk, quantity=1
    )
    assert visitors.lines.get().quantity == 2


def test_adding_after_the_cart_was_ordered_opens_a_new_one(client):
    """The page's add finds no open cart (ordered in another tab, or after
    checkout): it opens one and adds to it."""
    customer = UserFactory()
    client.force_login(customer)
    kettle = ProductFactory(stock_on_hand=10)
    ordered = cart_with(customer, (kettle, 1))
    Cart.objects.filter(pk=ordered.pk).update(status=Cart.Status.ORDERED)
    response = client.post(reverse("shop:cart_add", args=[kettle.pk]), {"quantity": 2})
    assert response.status_code == 302 and response["Location"] == reverse("shop:cart")
    cart = Cart.objects.get(owner=customer, status=Cart.Status.OPEN)
    assert [(line.product, line.quantity) for line in cart.lines.all()] == [(kettle, 2)]
    assert ordered.lines.get().quantity == 1


def test_merge_adds_visitor_lines_to_the_customers_cart_within_stock():
    user = UserFactory()
    kettle = ProductFactory(stock_on_hand=3)
    mug = ProductFactory(stock_on_hand=10)
    mine = cart_with(user, (kettle, 2))
    visitors = cart_with(None, (kettle, 2), (mug, 1))

    merged = services.merge_carts(source=visitors, owner=user)

    assert merged == mine
    assert {line.product_id: line.quantity for line in merged.lines.all()} == {
        kettle.pk: 3,  # capped at the stock
        mug.pk: 1,
    }
    visitors.refresh_from_db()
    assert visitors.status == Cart.Status.MERGED
    # A second merge of the same cart changes nothing.
    services.merge_carts(source=visitors, owner=user)
    assert merged.lines.get(product=kettle).quantity == 3


def test_merge_adopts_the_visitor_cart_when_the_customer_has_none():
    user = UserFactory()
    visitors = cart_with(None, (ProductFactory(), 1))
    assert services.merge_carts(source=visitors, owner=user) == visitors
    visitors.refresh_from_db()
    assert visitors.owner == user


def test_merge_never_takes_someone_elses_cart():
    owner, thief = UserFactory(), UserFactory()
    theirs = cart_with(owner, (ProductFactory(), 1))
    result = services.merge_carts(source=theirs, owner=thief)
    assert result != theirs
    assert not result.lines.exists()
