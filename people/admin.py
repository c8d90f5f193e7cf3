"""Admin of entities, people and contacts: IPM administrators edit them; attendants only look them up."""

import re

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Contact, Entity, Person
from .services import person_next_code
from .validators import only_digits

#: A search term made only of the digits and punctuation of a CPF/CNPJ ("123.456.789-09").
DOCUMENT_TERM = re.compile(r"[\d.\-/\s]+")


def document_digits(search_term: str) -> str:
    """CPF/CNPJ are stored as digits: the digits of a formatted term, or "" for any other term."""
    term = search_term.strip()
    return only_digits(term) if DOCUMENT_TERM.fullmatch(term) else ""


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "cnpj", "online_chat_enabled"]
    # S2: IPM switches the chat per entity right from the list (only who may change entities sees the boxes).
    list_editable = ["online_chat_enabled"]
    list_filter = ["online_chat_enabled"]
    search_fields = ["name", "cnpj"]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if digits := document_digits(search_term):
            results |= queryset.filter(cnpj__startswith=digits)
        return results, may_have_duplicates


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 1


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "document_display", "entity", "user"]
    list_filter = ["kind", "entity"]
    list_select_related = ["entity", "user"]
    search_fields = ["name", "document", "code"]
    autocomplete_fields = ["user"]
    readonly_fields = ["code"]
    inlines = [ContactInline]

    @admin.display(description=_("CPF/CNPJ"))
    def document_display(self, person: Person) -> str:
        return person.document_display

    def get_search_results(self, request, queryset, search_term):
        # Also the requester search of the phone ticket form (admin autocomplete).
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if digits := document_digits(search_term):
            results |= queryset.filter(document__startswith=digits)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change) -> None:
        if not obj.code:
            obj.code = person_next_code()
        super().save_model(request, obj, form, change)
