"""core.rows: a hand-written statement's rows become the models the ORM
would have loaded, converters and extra columns included."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import rows
from shop.models import Product, ProductImage, User
from tests.shop.factories import ProductFactory, UserFactory, photographed

pytestmark = pytest.mark.django_db


def _same(found, expected) -> None:
    assert type(found) is type(expected)
    for field in type(expected)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field
    assert found._state.adding is False and found._state.db == "default"


def test_rows_are_the_models_the_orm_loads():
    user = UserFactory(phone="+819012345678")
    (found,) = rows.fetch(User, "SELECT * FROM shop_user WHERE id = %s", [user.pk])
    _same(found, User.objects.get(pk=user.pk))
    assert found.phone.as_e164 == "+819012345678"  # the field's converter


def test_json_and_extra_columns_and_many_rows():
    """A JSON field is decoded; columns that are no field are attributes;
    the rows come in the statement's order, one model each."""
    products = photographed(ProductFactory.create_batch(3))
    images = rows.fetch(
        ProductImage,
        "SELECT i.*, p.name AS product_name FROM shop_productimage i"
        " JOIN shop_product p ON p.id = i.product_id ORDER BY i.id DESC",
    )
    expected = list(ProductImage.objects.order_by("-pk"))
    assert len(images) == len(expected) >= 3
    for found, model in zip(images, expected, strict=True):
        _same(found, model)
        assert isinstance(found.renditions, list)
        assert found.product_name == Product.objects.get(pk=model.product_id).name
    assert {image.product_id for image in images} == {p.pk for p in products}


def test_no_rows_is_an_empty_list_and_one_query():
    with CaptureQueriesContext(connection) as captured:
        assert rows.fetch(User, "SELECT * FROM shop_user WHERE id = %s", [0]) == []
    assert len(captured) == 1


def test_a_statement_without_every_field_is_refused():
    UserFactory()
    with pytest.raises(ValueError, match="password"):
        rows.fetch(User, "SELECT id, email FROM shop_user")


def test_a_saved_row_writes_back_what_it_read():
    product = ProductFactory(name="Kettle", price=3000, stock_on_hand=4)
    (found,) = rows.fetch(
        Product, "SELECT * FROM shop_product WHERE id = %s", [product.pk]
    )
    found.price = 3500
    found.save()
    product.refresh_from_db()
    assert (product.name, product.price, product.stock_on_hand) == ("Kettle", 3500, 4)
