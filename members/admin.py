"""Admin: owners edit plans here (or on the Plans page); memberships, bundles and deposits are
browsable; the credit ledger is read-only (changes go through adjustments on the member page)."""

from django.contrib import admin

from .models import (
    Bundle,
    BundleRedemption,
    CreditLedgerEntry,
    Deposit,
    Membership,
    MembershipPlan,
    MembershipStatusChange,
)


@admin.register(MembershipPlan)
class MembershipPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "monthly_fee", "credit_kind", "credits_per_cycle", "credit_service", "expiry_rule",
                    "cancellation_notice_days", "is_active")
    list_filter = ("credit_kind", "is_active")
    filter_horizontal = ("included_services",)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatusChangeInline(ReadOnlyInline):
    model = MembershipStatusChange
    fields = ("effective_on", "from_status", "to_status", "changed_by", "note")


class LedgerInline(ReadOnlyInline):
    model = CreditLedgerEntry
    fields = ("created_at", "kind", "amount", "cycle", "expires_on", "visit", "reason", "created_by")
    ordering = ("-created_at",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("patient", "plan", "location", "status", "started_on", "next_renewal_on")
    list_filter = ("status", "plan", "location")
    search_fields = ("patient__first_name", "patient__last_name", "patient__phone")
    raw_id_fields = ("patient",)
    readonly_fields = ("status", "freeze_ends_on", "cancellation_requested_on", "cancellation_effective_on",
                       "created_by")
    inlines = [StatusChangeInline, LedgerInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditLedgerEntry)
class CreditLedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "membership", "kind", "amount", "cycle", "expires_on", "reason")
    list_filter = ("kind",)
    search_fields = ("membership__patient__last_name", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RedemptionInline(ReadOnlyInline):
    model = BundleRedemption
    fields = ("visit", "redeemed_by", "at")
    raw_id_fields = ("visit",)


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ("patient", "service", "sessions_purchased", "price_paid", "purchased_on", "expires_on")
    list_filter = ("service", "location")
    search_fields = ("patient__first_name", "patient__last_name")
    raw_id_fields = ("patient",)
    inlines = [RedemptionInline]


@admin.register(Deposit)
class DepositAdmin(admin.ModelAdmin):
    list_display = ("patient", "amount", "status", "taken_on", "event", "visit")
    list_filter = ("status", "location")
    raw_id_fields = ("patient", "visit", "event")
    readonly_fields = ("status", "settled_by", "settled_at")
