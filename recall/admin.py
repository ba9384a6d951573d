from django.contrib import admin
from django.utils import timezone

from medspa.admin import OwnerSettingsAdmin
from medspa.models import log_action

from .models import (
    Attribution,
    InboundMessage,
    LinkAction,
    MemberTouchTemplate,
    RecallLink,
    RecallRule,
    RecallSchedule,
    Touch,
)


@admin.register(RecallRule)
class RecallRuleAdmin(OwnerSettingsAdmin):
    """Owners edit rules here; RecallRule.clean() validates the wording (GSM-7, 2 segments, no treatment names)."""

    list_display = ("service", "interval_days", "window_opens_days", "late_after_days", "lapsed_after_days",
                    "stop_after_lapsed_days", "max_touches", "min_days_between", "is_active")
    fieldsets = (
        (None, {"fields": ("service", "is_active")}),
        ("Timing (days)", {"fields": ("interval_days", "window_opens_days", "late_after_days", "lapsed_after_days",
                                      "stop_after_lapsed_days", "max_touches", "min_days_between")}),
        ("Messages: only {first_name}, {clinic} and {link}; never a treatment name",
         {"fields": ("on_time_template", "late_template", "reactivation_template")}),
    )

    def save_model(self, request, obj, form, change):
        obj.save()
        log_action(request.user, "recall.rule_saved", obj, fields=form.changed_data)


@admin.register(MemberTouchTemplate)
class MemberTouchTemplateAdmin(OwnerSettingsAdmin):
    """Member touchpoint wording; MemberTouchTemplate.clean() refuses treatment names, amounts, non-GSM-7 and
    anything longer than two segments."""

    list_display = ("kind", "is_active", "updated_at")
    fields = ("kind", "is_active", "body")

    def get_readonly_fields(self, request, obj=None):
        return ("kind",) if obj else ()


@admin.register(RecallSchedule)
class RecallScheduleAdmin(admin.ModelAdmin):
    list_display = ("patient", "service", "state", "last_visit", "due_date", "touches_sent", "trusted",
                    "next_action_at")
    list_filter = ("state", "trusted", "service")
    search_fields = ("patient__last_name", "patient__first_name", "patient__external_id")
    raw_id_fields = ("patient",)
    actions = ["mark_trusted"]

    @admin.action(description="History checked: allow recall again")
    def mark_trusted(self, request, queryset):
        for schedule in queryset:
            schedule.trusted, schedule.quality_note, schedule.next_action_at = True, "", timezone.now()
            schedule.save(update_fields=["trusted", "quality_note", "next_action_at", "updated_at"])
            log_action(request.user, "recall.marked_trusted", schedule)


@admin.register(Touch)
class TouchAdmin(admin.ModelAdmin):
    list_display = ("idempotency_key", "kind", "status", "to", "attempts", "error_code", "sent_at")
    list_filter = ("status", "source", "kind")
    raw_id_fields = ("schedule", "patient")
    readonly_fields = [f.name for f in Touch._meta.fields]


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "from_number", "kind", "body")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in InboundMessage._meta.fields]


admin.site.register(RecallLink, list_display=("patient", "schedule", "created_at", "expires_at", "opened_at"),
                    raw_id_fields=("patient", "schedule", "touch"), exclude=("token_hash",))
admin.site.register(LinkAction, list_display=("action", "link", "created_at"), raw_id_fields=("link", "handoff"))
admin.site.register(Attribution, list_display=("visit", "source", "kind", "value", "visit_at"),
                    raw_id_fields=("visit", "touch"))
