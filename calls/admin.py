from django.contrib import admin

from .models import ApprovedAnswer, Call, CallPlan, CallPlanVersion, CallTurn, Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "location", "starts_at", "rsvp_deadline", "tracking_number")
    list_filter = ("kind", "location")
    filter_horizontal = ("services",)
    search_fields = ("name",)


class ApprovedAnswerInline(admin.TabularInline):
    model = ApprovedAnswer
    extra = 0
    can_delete = False
    readonly_fields = ("topic", "wording")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CallPlanVersion)
class CallPlanVersionAdmin(admin.ModelAdmin):
    """Read-only: owners publish new versions on the call plan page."""

    list_display = ("plan", "number", "created_by", "created_at", "note")
    list_filter = ("plan__location",)
    inlines = [ApprovedAnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CallPlan)
class CallPlanAdmin(admin.ModelAdmin):
    list_display = ("location", "created_at")


class CallTurnInline(admin.TabularInline):
    model = CallTurn
    extra = 0
    fields = ("seq", "speaker", "text", "at")
    readonly_fields = fields
    can_delete = False


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("started_at", "location", "channel", "caller_name", "from_number", "route", "status",
                    "completeness")
    list_filter = ("channel", "route", "status", "location", "after_hours")
    search_fields = ("caller_name", "from_number", "external_id")
    raw_id_fields = ("patient", "handoff", "event")
    readonly_fields = ("summary", "answers_given", "plan_version", "voice_state")
    inlines = [CallTurnInline]
