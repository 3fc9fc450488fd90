from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Support"

    def ready(self) -> None:
        from callbacks.signals import callback_changed
        from support.calls import on_callback_changed
        from support.permissions import ensure_agent_group

        # After every app's permissions exist, i.e. after the last migrate.
        post_migrate.connect(ensure_agent_group, sender=self)
        # callbacks announces every state change; the case timeline records it.
        callback_changed.connect(on_callback_changed, dispatch_uid="support-calls")
