from django.contrib import admin

from zhili.divisions.models import Department, Division, ServicePoint


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "credit_code", "division"]
    search_fields = ["code", "name"]


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "division", "hours"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "address"]
    raw_id_fields = ["division"]
