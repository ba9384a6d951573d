from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from medspa.models import Location, Service
from medspa.phones import normalize_phone
from medspa.routes import Route

from .models import Event, Topic
from .models.plan import check_placeholders


class LocationChoiceMixin:
    def limit_locations(self, user):
        self.fields["location"].queryset = Location.objects.visible_to(user).filter(is_active=True)
        if self.fields["location"].queryset.count() == 1:
            self.fields["location"].initial = self.fields["location"].queryset.first()
            self.fields["location"].empty_label = None


class IntakeForm(LocationChoiceMixin, forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none())
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "Type what the caller says, one point per line."}),
        max_length=8000, help_text="The caller's words as closely as you can; symptom words are quoted exactly.",
    )
    caller_name = forms.CharField(max_length=160, required=False)
    phone = forms.CharField(max_length=32, required=False)
    email = forms.EmailField(required=False)
    callback_window = forms.CharField(max_length=120, required=False, help_text="e.g. weekdays after 5 pm")
    event = forms.ModelChoiceField(queryset=Event.objects.none(), required=False, empty_label="No event / not sure")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_locations(user)
        recent = timezone.now() - timezone.timedelta(days=30)
        self.fields["event"].queryset = Event.objects.visible_to(user).filter(ends_at__gte=recent).select_related(
            "location")
        self.fields["event"].label_from_instance = lambda e: f"{e.name} ({e.location})"

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        phone = normalize_phone(raw)
        if phone is None:
            raise ValidationError("That does not look like a phone number; try (415) 555-0134.")
        return phone

    def clean(self):
        data = super().clean()
        event, location = data.get("event"), data.get("location")
        if event and location and event.location_id != location.id:
            self.add_error("event", f"{event.name} is at {event.location}, not {location}.")
        return data

    def direct_fields(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        return {k: data.get(k) for k in ("caller_name", "email", "callback_window") if data.get(k)}


class PreviewForm(IntakeForm):
    """Same fields, but nothing is required while the coordinator is still typing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False


class PlanForm(forms.Form):
    note = forms.CharField(max_length=200, required=False, label="What changed (for the version history)")

    def __init__(self, *args, current: dict, current_es: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for topic in Topic:
            self.fields[topic.value] = forms.CharField(
                label=topic.label, required=False, initial=current.get(topic.value, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"{topic.value}_es"] = forms.CharField(
                label=f"{topic.label} (Spanish)", required=False, initial=(current_es or {}).get(topic.value, ""),
                widget=forms.Textarea(attrs={"rows": 2, "lang": "es"}),
                help_text="Optional. Said instead of the English to callers and texters heard in Spanish.",
            )
        self.fields[Topic.EMERGENCY].help_text = (
            "Required. Read as soon as symptom language is heard. Never reassure: tell the caller to call 911 "
            "for breathing, swallowing or vision problems, and that the clinical team will call back."
        )
        self.fields[Topic.CALLBACK_CONFIRMATION].help_text = "{window} is replaced by the caller's callback time."
        self.fields[Topic.GREETING].help_text = "{clinic} is replaced by the location name."
        member_help = (
            "May use the member's own figures: {balance}, {plan}, {renewal_date}, {cancel_by} (last day to cancel "
            "before the next charge), {sessions_left}, {bundle_expires}. They are said only to a caller verified by "
            "the number on file and date of birth; otherwise a coordinator calls back."
        )
        for topic in (Topic.MEMBER_CREDITS, Topic.RENEWAL, Topic.BUNDLES):
            self.fields[topic].help_text = member_help

    def clean(self):
        data = super().clean()
        for topic in Topic:
            for name in (topic.value, f"{topic.value}_es"):
                try:
                    check_placeholders(data.get(name, ""), topic)
                except ValidationError as exc:
                    self.add_error(name, exc)
            if (data.get(f"{topic.value}_es") or "").strip() and not (data.get(topic.value) or "").strip():
                self.add_error(f"{topic.value}_es", "Add the English wording first; Spanish wording sits beside it.")
        return data

    def answers(self) -> dict:
        return {topic: self.cleaned_data.get(topic.value, "") for topic in Topic}

    def answers_es(self) -> dict:
        return {topic: self.cleaned_data.get(f"{topic.value}_es", "") for topic in Topic}


class PlanTestForm(LocationChoiceMixin, forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none())
    sentence = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                               label="What the caller says")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_locations(user)


class LocalDateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(LocationChoiceMixin, forms.ModelForm):
    source_codes = forms.CharField(required=False, help_text="Comma-separated codes, e.g. VIPSPRING, IG-GLOW")
    starts_at = LocalDateTimeField(label="Starts (location time)")
    ends_at = LocalDateTimeField(label="Ends (location time)")
    rsvp_deadline = LocalDateTimeField(label="RSVP deadline (location time)", required=False)

    class Meta:
        model = Event
        fields = ["location", "name", "kind", "starts_at", "ends_at", "rsvp_deadline", "capacity", "offer_text",
                  "services", "source_codes", "tracking_number"]
        widgets = {"services": forms.CheckboxSelectMultiple, "offer_text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_locations(user)
        self.fields["services"].queryset = Service.objects.active()
        if self.instance.pk:
            self.initial["source_codes"] = ", ".join(self.instance.source_codes)
            tz = self.instance.location.tz
            for name in ("starts_at", "ends_at", "rsvp_deadline"):
                value = getattr(self.instance, name)
                if value:
                    self.initial[name] = value.astimezone(tz).replace(tzinfo=None)

    def clean_source_codes(self):
        raw = self.cleaned_data.get("source_codes") or ""
        return [code.strip().upper() for code in raw.replace("\n", ",").split(",") if code.strip()]

    def clean(self):
        data = super().clean()
        location = data.get("location")
        if location:
            for name in ("starts_at", "ends_at", "rsvp_deadline"):
                value = data.get(name)
                if isinstance(value, datetime):  # typed in the location's wall-clock time
                    data[name] = timezone.make_aware(value.replace(tzinfo=None), location.tz)
                    setattr(self.instance, name, data[name])
        return data


class CallFilterForm(forms.Form):
    route = forms.ChoiceField(choices=[("", "Any route"), *[(r.value, r.label) for r in Route]], required=False)
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, empty_label="All locations")
    event = forms.ModelChoiceField(queryset=Event.objects.none(), required=False, empty_label="Any event")
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                           help_text="Calls started on this day (location time)")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.visible_to(user)
        self.fields["event"].queryset = Event.objects.visible_to(user).order_by("-starts_at")
