from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone

from calls.models import Event
from medspa.models import Service, Visit

from .models import Bundle, CreditLedgerEntry, Deposit, MembershipPlan

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.ModelForm):
    class Meta:
        model = MembershipPlan
        fields = [
            "name", "description", "monthly_fee", "credit_kind", "credits_per_cycle", "credit_service",
            "member_discount_percent", "included_services", "rollover_cycles", "expiry_rule", "credit_expiry_days",
            "minimum_term_months", "cancellation_notice_days", "max_freeze_months_per_year", "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}),
                   "included_services": forms.CheckboxSelectMultiple}


class StartMembershipForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=MembershipPlan.objects.filter(is_active=True), empty_label="Choose a plan")
    started_on = forms.DateField(widget=DATE, label="First cycle starts")


class FreezeForm(forms.Form):
    months = forms.IntegerField(min_value=1, max_value=12, initial=1, label="Freeze for (months)")
    note = forms.CharField(max_length=250, required=False)


class CancelForm(forms.Form):
    requested_on = forms.DateField(widget=DATE, label="Cancellation requested on")
    note = forms.CharField(max_length=250, required=False, label="Reason (optional)")


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(max_digits=9, decimal_places=2, help_text="Positive adds credit; negative removes it.")
    reason = forms.CharField(max_length=250, error_messages={"required": "Give a reason; it is kept in the ledger."})
    expires_on = forms.DateField(widget=DATE, required=False, help_text="Added credit only; empty = never expires.")

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("An adjustment of zero changes nothing.")
        return amount


class RedeemCreditForm(forms.Form):
    visit = forms.ModelChoiceField(queryset=Visit.objects.none(), empty_label="Choose the visit")
    amount = forms.DecimalField(max_digits=9, decimal_places=2, min_value=Decimal("0.01"))

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        used = CreditLedgerEntry.objects.filter(membership=membership, kind="redemption").values("visit_id")
        visits = (
            membership.patient.visits.completed().exclude(pk__in=used)
            .filter(starts_at__date__gte=membership.started_on - timedelta(days=1))
            .select_related("service").order_by("-starts_at")
        )
        if membership.plan.is_units:
            visits = visits.filter(service=membership.plan.credit_service)
        self.fields["visit"].queryset = visits
        self.fields["visit"].label_from_instance = lambda v: f"{v.starts_at:%b %-d, %Y} · {v.service}"
        self.fields["amount"].label = "Units to use" if membership.plan.is_units else "Dollars to use"


class BundleForm(forms.ModelForm):
    class Meta:
        model = Bundle
        fields = ["service", "sessions_purchased", "price_paid", "purchased_on", "expires_on", "note"]
        widgets = {"purchased_on": DATE, "expires_on": DATE}
        labels = {"sessions_purchased": "Sessions", "price_paid": "Price paid ($)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.active()

    def clean(self):
        cleaned = super().clean()
        bought, expires = cleaned.get("purchased_on"), cleaned.get("expires_on")
        if bought and expires and expires < bought:
            self.add_error("expires_on", "The bundle cannot expire before it was bought.")
        return cleaned


class DepositForm(forms.ModelForm):
    class Meta:
        model = Deposit
        fields = ["amount", "taken_on", "visit", "event", "note"]
        widgets = {"taken_on": DATE}
        labels = {"amount": "Amount ($)", "visit": "For booked visit", "event": "For event"}

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit"].queryset = patient.visits.filter(status=Visit.Status.BOOKED).select_related("service")
        self.fields["visit"].required = False
        # The patient's own location's events that have not ended more than a month ago.
        self.fields["event"].queryset = Event.objects.filter(
            location=patient.location, ends_at__gte=timezone.now() - timedelta(days=30)).order_by("starts_at")
        self.fields["event"].label_from_instance = lambda e: f"{e.name} ({e.starts_at:%b %-d})"
        self.fields["event"].empty_label = "No event"


class DepositSettleForm(forms.Form):
    note = forms.CharField(max_length=250, required=False)
    visit = forms.ModelChoiceField(queryset=Visit.objects.none(), required=False)

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit"].queryset = patient.visits.exclude(status=Visit.Status.CANCELLED)
