"""Admin of entities, people and contacts (IPM administrators)."""

from django.contrib import admin

from .models import Contact, Entity, Person
from .services import person_next_code


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "cnpj", "online_chat_enabled"]
    list_filter = ["online_chat_enabled"]
    search_fields = ["name", "cnpj"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 1


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "document", "entity", "user"]
    list_filter = ["kind", "entity"]
    list_select_related = ["entity", "user"]
    search_fields = ["name", "document", "code"]
    autocomplete_fields = ["user"]
    readonly_fields = ["code"]
    inlines = [ContactInline]

    def save_model(self, request, obj, form, change) -> None:
        if not obj.code:
            obj.code = person_next_code()
        super().save_model(request, obj, form, change)
