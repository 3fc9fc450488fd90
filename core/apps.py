from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core.logs import install_record_factory
        from core.sites import sync_site_with_settings

        # Log records take the request id and the bound ids as they are made.
        install_record_factory()

        # Sent for the sites app, after its own receiver has made the
        # example.com row (connected first: sites is installed before core).
        post_migrate.connect(
            sync_site_with_settings,
            sender=apps.get_app_config("sites"),
            dispatch_uid="core.sync_site_with_settings",
        )
