"""``selected_or_404``: the one place a selector's "not yours" becomes a 404."""

import pytest
from django.http import Http404

from core.views import selected_or_404
from shop.models import Order, Product


def _select(*, found=None, raises=None):
    if raises is not None:
        raise raises
    return found


def test_what_the_selector_finds_is_returned_with_its_arguments():
    assert selected_or_404(Order, _select, found="the order") == "the order"


@pytest.mark.parametrize("models", [Order, (Product, Order)])
def test_a_row_not_found_for_this_owner_is_a_404(models):
    with pytest.raises(Http404):
        selected_or_404(models, _select, raises=Order.DoesNotExist())


def test_another_models_missing_row_is_not_hidden_as_a_404():
    with pytest.raises(Product.DoesNotExist):
        selected_or_404(Order, _select, raises=Product.DoesNotExist())
