from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core.sites import sync_site_with_settings

        # Sent for the sites app, after its own receiver has made the
        # example.com row (connected first: sites is installed before core).
        post_migrate.connect(
            sync_site_with_settings,
            sender=apps.get_app_config("sites"),
            dispatch_uid="core.sync_site_with_settings",
        )
