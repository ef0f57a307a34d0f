from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from zhili.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    filter_horizontal = ["departments", "divisions", "groups", "user_permissions"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("智理", {"fields": ("display_name", "role", "departments", "divisions")}),
    )
