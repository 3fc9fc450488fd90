from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self) -> None:
        from core.metrics import register_collector

        from . import signals  # noqa: F401  (login: cart merge, language)
        from .metrics import OutboxCollector

        register_collector("shop.outbox", OutboxCollector())
