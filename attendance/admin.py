"""The calendar in the admin: optional holidays switched one by one, IPM's closed days and special hours."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from atende_chat.errors import ApplicationError

from . import services
from .calendar import holiday_label
from .models import OptionalHoliday, SpecialDay


@admin.register(OptionalHoliday)
class OptionalHolidayAdmin(admin.ModelAdmin):
    """The rows are the library's optional holidays (written by the migration); only the switch changes."""

    # Switched on its own page (a list of bare checkboxes would have no label for each).
    list_display = ["label", "closed"]
    list_display_links = ["label"]
    fields = ["label", "closed"]
    readonly_fields = ["label"]

    @admin.display(description=_("nome"), ordering="name")
    def label(self, obj: OptionalHoliday) -> str:
        return holiday_label(obj.name)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SpecialDayForm(forms.ModelForm):
    class Meta:
        model = SpecialDay
        fields = ["description", "starts_on", "ends_on", "opens_at", "closes_at"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.special_day_check(
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                opens_at=data.get("opens_at"),
                closes_at=data.get("closes_at"),
                exclude_pk=self.instance.pk,
            )
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return data

    def validate_constraints(self):
        # The service's messages above say the same in words the administrator understands.
        return None


@admin.register(SpecialDay)
class SpecialDayAdmin(admin.ModelAdmin):
    form = SpecialDayForm
    list_display = ["description", "starts_on", "ends_on", "opens_at", "closes_at"]
    date_hierarchy = "starts_on"

    def save_model(self, request, obj, form, change) -> None:
        services.special_day_save(special_day=obj)
