"""Test data for wish lists."""

import factory

from tests.shop.factories import AddressFactory, ProductFactory, UserFactory
from wishlist.models import WishList, WishListItem


class WishListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WishList

    owner = factory.SubFactory(UserFactory, display_name="Aiko & Ren")
    title = "Our wedding"
    occasion = WishList.Occasion.WEDDING
    address = factory.LazyAttribute(lambda o: AddressFactory(user=o.owner))
    visibility = WishList.Visibility.PUBLIC


class WishListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WishListItem

    wishlist = factory.SubFactory(WishListFactory)
    product = factory.SubFactory(ProductFactory)
    desired_quantity = 1
    position = factory.Sequence(int)
