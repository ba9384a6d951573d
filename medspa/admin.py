from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditLog, ConsentEvent, Handoff, Location, Patient, Provider, Service, User, Visit, log_action

admin.site.site_header = "Med spa front desk: clinic settings"
admin.site.site_title = "Clinic settings"


def _settings_access(request) -> bool:
    """Owners reach the settings site for the clinic's own configuration; superusers see everything."""
    user = request.user
    return user.is_active and (user.is_staff or getattr(user, "is_owner", False))


admin.site.has_permission = _settings_access


class OwnerSettingsAdmin(admin.ModelAdmin):
    """Configuration owners edit themselves (catalog, locations, providers, rules, plans).

    Patient records and logs stay out of it: staff work with those through the app, which scopes
    them to locations. Owners may add and change; deleting is for superusers (deactivate instead).
    """

    def _is_owner(self, request) -> bool:
        return request.user.is_active and getattr(request.user, "is_owner", False)

    def has_module_permission(self, request):
        return self._is_owner(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_owner(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._is_owner(request) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._is_owner(request) or super().has_change_permission(request, obj)

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

    def get_queryset(self, request):
        return Location.objects.visible_to(request.user)

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(Provider)
class ProviderAdmin(OwnerSettingsAdmin):
    list_display = ("name", "title", "is_active")
    filter_horizontal = ("locations",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(locations__in=request.user.location_ids()).distinct()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "locations":
            kwargs["queryset"] = Location.objects.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


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
