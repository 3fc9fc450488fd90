from django.apps import AppConfig


class WishlistConfig(AppConfig):
    name = "wishlist"
    verbose_name = "Wish lists"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (cached pages of published lists)
