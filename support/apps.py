from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Support"

    def ready(self) -> None:
        from callbacks.signals import (
            callback_changed,
            callback_claimed,
            callback_missed,
            callback_released,
        )
        from core.metrics import register_collector
        from support.calls import (
            on_callback_changed,
            on_callback_claimed,
            on_callback_missed,
            on_callback_released,
        )
        from support.metrics import CaseCollector
        from support.permissions import ensure_agent_group

        # After every app's permissions exist, i.e. after the last migrate.
        post_migrate.connect(ensure_agent_group, sender=self)
        # callbacks announces every state change; the case timeline records it.
        callback_changed.connect(on_callback_changed, dispatch_uid="support-calls")
        callback_claimed.connect(on_callback_claimed, dispatch_uid="support-claims")
        callback_released.connect(on_callback_released, dispatch_uid="support-releases")
        callback_missed.connect(on_callback_missed, dispatch_uid="support-missed")
        # Cases by status and overdue, counted when Prometheus scrapes.
        register_collector("support.cases", CaseCollector())
