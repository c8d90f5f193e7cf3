"""The attendants' side in the Django admin."""

from django.contrib import admin

from ..models import AttendancePeriod, Module, Ticket


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(AttendancePeriod)
class AttendancePeriodAdmin(admin.ModelAdmin):
    list_display = ["weekday", "starts_at", "ends_at"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "module", "entity", "requester", "attendant", "opened_at"]
