"""Keeps the cached pages of published wish lists (``core.pagecache``) true:
a list, its items and its owner's public name are on its page."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wishlist.models import WishList, WishListItem
from wishlist.services import list_changed


@receiver([post_save, post_delete], sender=WishList)
def wishlist_saved(sender, instance: WishList, **kwargs) -> None:
    list_changed(instance.share_token)


@receiver([post_save, post_delete], sender=WishListItem)
def item_saved(sender, instance: WishListItem, **kwargs) -> None:
    list_changed(
        *WishList.objects.filter(pk=instance.wishlist_id).values_list(
            "share_token", flat=True
        )
    )


@receiver(post_save, sender=get_user_model())
def owner_saved(sender, instance, update_fields=None, **kwargs) -> None:
    # A list shows its owner's public name; a login's last_login does not.
    if update_fields is not None and "display_name" not in update_fields:
        return
    list_changed(
        *WishList.objects.filter(owner=instance).values_list("share_token", flat=True)
    )
