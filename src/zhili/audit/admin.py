"""The Django admin shows the trail read-only: nothing can be added, changed or removed here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhili.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "id",
        "at",
        "actor_name",
        "role",
        "channel",
        "action",
        "object_type",
        "object_id",
    ]
    # No list filters or date hierarchy: each would scan the whole table on every page.
    search_fields = ["=object_id", "^action", "actor_name"]
    actions = None
    show_full_result_count = False  # a count of millions of rows on every page is slow

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
