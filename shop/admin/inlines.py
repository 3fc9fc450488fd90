"""The read-only inline every admin screen builds on (the shop's and the
other apps'): rows written by services, shown to staff, never typed in."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
