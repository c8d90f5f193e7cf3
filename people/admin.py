"""Admin of entities, people and contacts: IPM administrators edit them; attendants only look them up."""

import re
from functools import partial

from django import forms
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Contact, Entity, Person
from .services import contact_limit, email_verification_send, person_next_code
from .validators import only_digits

#: A search term made only of the digits and punctuation of a CPF/CNPJ ("123.456.789-09").
DOCUMENT_TERM = re.compile(r"[\d.\-/\s]+")


def document_digits(search_term: str) -> str:
    """CPF/CNPJ are stored as digits: the digits of a formatted term, or "" for any other term."""
    term = search_term.strip()
    return only_digits(term) if DOCUMENT_TERM.fullmatch(term) else ""


class EntityListForm(forms.ModelForm):
    """A row of the entity list: its checkbox is named after the entity (a column header is no <label>)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("online_chat_enabled")
        if field is not None:
            field.widget.attrs["aria-label"] = f"{capfirst(field.label)}: {self.instance.name}"


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "cnpj", "online_chat_enabled"]
    # S2: IPM switches the chat per entity right from the list (only who may change entities sees the boxes).
    list_editable = ["online_chat_enabled"]
    list_filter = ["online_chat_enabled"]
    search_fields = ["name", "cnpj"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=EntityListForm, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if digits := document_digits(search_term):
            results |= queryset.filter(cnpj__startswith=digits)
        return results, may_have_duplicates


class ContactFormSet(BaseInlineFormSet):
    """At most CONTACT_MAX_EMAILS e-mail addresses and CONTACT_MAX_PHONES phones per person, as on the staff page."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            name = f"{gettext('Delete')}: {form.instance.value}" if form.instance.pk else gettext("Delete")
            form.fields["DELETE"].widget.attrs["aria-label"] = name

    def clean(self) -> None:
        super().clean()
        counts = {Contact.Kind.EMAIL: 0, Contact.Kind.PHONE: 0}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            kind = form.cleaned_data.get("kind")
            if kind in counts:
                counts[kind] += 1
        for kind, count in counts.items():
            limit, message = contact_limit(kind)
            if count > limit:
                raise ValidationError(message.format(limit=limit))


class ContactInline(admin.TabularInline):
    """An address entered here is "não confirmado" until its owner opens the link sent to it."""

    model = Contact
    formset = ContactFormSet
    extra = 1
    fields = ["kind", "value", "confirmed_at"]
    readonly_fields = ["confirmed_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A tabular row's fields sit under column headers, which are no <label>: each gets its own name.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in {"kind", "value"}:
            field.widget.attrs["aria-label"] = capfirst(db_field.verbose_name)
        return field


class PersonAdminForm(forms.ModelForm):
    """The CPF never travels whole to the page: the field comes empty, the masked number beside it."""

    class Meta:
        model = Person
        fields = ["kind", "name", "document", "entity", "user", "cep", "country", "state", "city", "district"]
        fields += ["street", "number"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("document")
        if field is not None and self.instance.pk and self.instance.document:
            self.initial["document"] = ""
            field.help_text = gettext("Atual: {masked}. Deixe em branco para manter; digite outro para trocar.").format(
                masked=self.instance.document_masked
            )

    def clean_document(self) -> str:
        value = self.cleaned_data.get("document", "")
        return value or (self.instance.document if self.instance.pk else "")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = ["code", "name", "kind", "document_display", "entity", "user"]
    list_filter = ["kind", "entity"]
    list_select_related = ["entity", "user"]
    search_fields = ["name", "document", "code"]
    autocomplete_fields = ["user"]
    readonly_fields = ["code"]
    inlines = [ContactInline]

    @admin.display(description=_("CPF/CNPJ"))
    def document_display(self, person: Person) -> str:
        # Masked: finding a person by CPF works with the whole number typed in the search box.
        return person.document_masked

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            # Read-only pages would print the stored value whole.
            fields = ["document_display" if name == "document" else name for name in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_change_permission(request, obj):
            readonly.append("document_display")
        return readonly

    def get_search_results(self, request, queryset, search_term):
        # Also the requester search of the phone ticket form (admin autocomplete).
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if digits := document_digits(search_term):
            results |= queryset.filter(document__startswith=digits)
        return results, may_have_duplicates

    def save_formset(self, request, form, formset, change) -> None:
        contacts = formset.save(commit=False)
        for contact in contacts:
            # A changed address is a new address: it must be proved again.
            if contact.pk and Contact.objects.filter(pk=contact.pk).exclude(value=contact.value).exists():
                contact.confirmed_at = None
            contact.save()
            if contact.is_email and not contact.is_confirmed:
                transaction.on_commit(
                    partial(email_verification_send, contact_id=contact.pk, base_url=request.build_absolute_uri("/")),
                    robust=True,
                )
        for contact in formset.deleted_objects:
            contact.delete()
        formset.save_m2m()

    def save_model(self, request, obj, form, change) -> None:
        if not obj.code:
            obj.code = person_next_code()
        super().save_model(request, obj, form, change)


#: Django stores the names of the default permissions in English when it creates them ("Can add entidade"):
#: the admin shows them from these texts instead, in the page's language.
DEFAULT_PERMISSION_NAMES = {
    "add": _("Pode adicionar %(model)s"),
    "change": _("Pode alterar %(model)s"),
    "delete": _("Pode remover %(model)s"),
    "view": _("Pode ver %(model)s"),
}


def permission_label(permission: Permission) -> str:
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is not None and action in DEFAULT_PERMISSION_NAMES and model_name == model._meta.model_name:
        name = DEFAULT_PERMISSION_NAMES[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)  # our own permissions are Portuguese source texts
    return f"{permission.content_type} | {name}"


class TranslatedPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in {"permissions", "user_permissions"}:
            field.label_from_instance = permission_label
        return field


admin.site.unregister(Group)
admin.site.unregister(get_user_model())


@admin.register(Group)
class GroupAdmin(TranslatedPermissionsMixin, auth_admin.GroupAdmin):
    pass


@admin.register(get_user_model())
class UserAdmin(TranslatedPermissionsMixin, auth_admin.UserAdmin):
    pass


def _boolean_icon(field_val: bool | None) -> str:
    """Django's yes/no/unknown icon of the admin lists, whose alt text it leaves untranslated ("True")."""
    icon = {True: "yes", False: "no", None: "unknown"}[field_val]
    label = {True: _("Sim"), False: _("Não"), None: _("Desconhecido")}[field_val]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), label)


# The one way in: Django's list and read-only displays look this helper up in admin_list at each call.
admin_list._boolean_icon = _boolean_icon
