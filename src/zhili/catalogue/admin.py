from django.contrib import admin

from zhili.catalogue.models import Bundle, BundleItem, ItemVersion, ServiceItem, Theme


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    raw_id_fields = ["item"]


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "audience"]
    inlines = [BundleItemInline]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "audience", "order"]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    """Read-only here: items change through drafts and publishing in the back office."""

    list_display = ["impl_code", "name", "department", "popularity"]
    search_fields = ["impl_code", "name"]
    list_filter = ["department"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    list_display = ["item", "number", "status", "published_at"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
