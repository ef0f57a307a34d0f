from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from zhili.notify import services
from zhili.notify.models import Delivery, Notification


class DeliveryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Delivery
    fields = ("channel", "address", "backend", "status", "attempts", "sent_at", "error")
    readonly_fields = fields
    extra = max_num = 0  # none added by hand
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: notifications are written by the actions that cause them."""

    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username", "recipient__display_name"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The sealed full address is never shown; ``address`` is already masked."""

    list_display = ["created_at", "channel", "address", "backend", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "backend"]
    exclude = ["address_sealed"]
    raw_id_fields = ["notification"]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description="重新发送失败的短信与邮件")
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        queued = sum(services.delivery_retry(delivery=d) for d in queryset)
        self.message_user(request, f"已重新排队 {queued} 条。", messages.SUCCESS)
