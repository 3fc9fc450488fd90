"""Callbacks in the admin: read-only history for staff."""

from django.contrib import admin

from callbacks.models import CallAlarm, CallbackEvent, CallbackRequest


class CallbackEventInline(admin.TabularInline):
    model = CallbackEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "from_state", "to_state", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CallbackRequest)
class CallbackRequestAdmin(admin.ModelAdmin):
    list_display = [
        "reference", "subject", "number", "state", "due_at", "attempts", "claimed_by",
    ]  # fmt: skip
    list_select_related = ["claimed_by"]
    list_filter = ["state"]
    search_fields = ["reference", "subject", "number", "call_sid"]
    readonly_fields = [
        "subject", "reference", "requested_by", "number", "language", "script",
        "queue", "state", "requested_at", "due_at", "attempts", "call_sid",
        "dialing_started_at", "answered_by", "enqueued_at", "claimed_by",
        "claimed_at", "agent_call_sid", "bridged_at", "ended_at", "last_error",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [CallbackEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CallAlarm)
class CallAlarmAdmin(admin.ModelAdmin):
    """Every trip of the shop's hourly call cap, newest first."""

    list_display = ["tripped_at", "kind", "limit", "refused", "last_refused_at"]
    list_filter = ["kind"]
    readonly_fields = [
        "kind", "limit", "tripped_at", "last_refused_at", "refused", "is_open",
    ]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
