from django.apps import AppConfig


class GiftsConfig(AppConfig):
    name = "gifts"
    verbose_name = "Gifts"

    def ready(self) -> None:
        from gifts import signals  # noqa: F401
