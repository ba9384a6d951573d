from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditLog, ConsentEvent, Handoff, Location, Patient, Provider, Service, User, Visit, log_action

admin.site.site_header = "Med spa front desk: clinic settings"
admin.site.site_title = "Clinic settings"


def _settings_access(request) -> bool:
    """The Django admin is for superusers only: owners use the settings pages (/settings/), which are
    scoped to their own locations."""
    user = request.user
    return user.is_active and user.is_superuser


admin.site.has_permission = _settings_access


class OwnerSettingsAdmin(admin.ModelAdmin):
    """Clinic configuration (catalog, locations, providers, rules): superusers only, every change audited."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        log_action(request.user, f"{obj._meta.model_name}.{'changed' if change else 'created'}", obj,
                   fields=form.changed_data)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Clinic access", {"fields": ("role", "locations")}))
    list_display = ("username", "email", "role", "is_active", "is_superuser")
    list_filter = ("role", "is_active", "locations")
    filter_horizontal = ("locations", "groups", "user_permissions")


@admin.register(Location)
class LocationAdmin(OwnerSettingsAdmin):
    list_display = ("name", "time_zone", "phone", "sms_number", "voice_number", "on_call", "is_active")
    prepopulated_fields = {"slug": ("name",)}

    @admin.display(description="On-call number")
    def on_call(self, location):
        if location.on_call_number:
            return str(location.on_call_number)
        if location.voice_number:
            return "⚠ Missing: safety calls ring no one"
        return "—"


@admin.register(Provider)
class ProviderAdmin(OwnerSettingsAdmin):
    list_display = ("name", "title", "is_active")
    filter_horizontal = ("locations",)


@admin.register(Service)
class ServiceAdmin(OwnerSettingsAdmin):
    list_display = ("name", "category", "return_interval_days", "typical_value", "is_active")
    list_filter = ("category", "is_active")


class VisitInline(admin.TabularInline):
    model = Visit
    extra = 0
    fields = ("service", "provider", "location", "starts_at", "status", "value")
    ordering = ("-starts_at",)


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("full_name", "phone", "email", "location", "sms_consent", "sms_opted_out_at")
    list_filter = ("location", "sms_consent")
    search_fields = ("first_name", "last_name", "phone", "email", "external_id")
    inlines = [VisitInline]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("patient", "service", "provider", "location", "starts_at", "status", "value")
    list_filter = ("status", "service", "location")
    raw_id_fields = ("patient",)
    date_hierarchy = "starts_at"


@admin.register(Handoff)
class HandoffAdmin(admin.ModelAdmin):
    list_display = ("title", "route", "status", "location", "due_at", "created_at")
    list_filter = ("route", "status", "location")
    raw_id_fields = ("patient",)


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    list_display = ("patient", "phone", "kind", "source", "created_at")
    raw_id_fields = ("patient",)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "object_repr", "location")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
