"""Forms for the owners' settings pages (locations, service catalog, providers)."""

import zoneinfo
from datetime import time

from django import forms
from django.core.exceptions import ValidationError

from .models import Location, Provider, Service, User
from .models.clinic import WEEKDAYS

DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
                     strict=True))
TIME_ZONES = sorted(z for z in zoneinfo.available_timezones() if z.startswith(("America/", "Pacific/", "US/")))


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class LocationSettingsForm(forms.ModelForm):
    """A location's details, Twilio numbers and business hours as a weekly grid (blank = closed)."""

    time_zone = forms.ChoiceField(choices=[(z, z) for z in TIME_ZONES])

    class Meta:
        model = Location
        fields = ["name", "time_zone", "address", "phone", "voice_number", "sms_number", "on_call_number"]
        labels = {"phone": "Public front-desk number", "voice_number": "Voice number (Twilio, callers dial)",
                  "sms_number": "SMS number (Twilio, texts come from)",
                  "on_call_number": "On-call number (dialled for safety escalations)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.time_zone and self.instance.time_zone not in TIME_ZONES:
            self.fields["time_zone"].choices.append((self.instance.time_zone, self.instance.time_zone))
        hours = self.instance.business_hours or {}
        for day in WEEKDAYS:
            span = hours.get(day) or ["", ""]
            for i, part in enumerate(("opens", "closes")):
                self.fields[f"{day}_{part}"] = forms.TimeField(
                    required=False, label=f"{DAY_NAMES[day]} {part}", widget=TimeInput(),
                    initial=time.fromisoformat(span[i]) if span[i] else None)
        for name in ("phone", "voice_number", "sms_number", "on_call_number"):
            self.fields[name].widget.attrs.update({"inputmode": "tel"})

    def hour_rows(self):
        return [(DAY_NAMES[day], self[f"{day}_opens"], self[f"{day}_closes"]) for day in WEEKDAYS]

    def clean(self):
        data = super().clean()
        hours = {}
        for day in WEEKDAYS:
            opens, closes = data.get(f"{day}_opens"), data.get(f"{day}_closes")
            if opens is None and closes is None:
                continue  # closed that day
            if opens is None or closes is None:
                self.add_error(f"{day}_opens", f"{DAY_NAMES[day]}: give both opening and closing times, or neither.")
            elif opens >= closes:
                self.add_error(f"{day}_closes", f"{DAY_NAMES[day]}: closing time must be after opening time.")
            else:
                hours[day] = [opens.strftime("%H:%M"), closes.strftime("%H:%M")]
        self.instance.business_hours = hours
        return data


class AliasesField(forms.CharField):
    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [a.strip() for a in (value or "").replace("\n", ",").split(",") if a.strip()]


class ServiceForm(forms.ModelForm):
    aliases = AliasesField(required=False, help_text="Other names used in imports and calls, comma-separated.")

    class Meta:
        model = Service
        fields = ["name", "category", "return_interval_days", "aliases", "typical_value", "is_active"]


class ProviderForm(forms.ModelForm):
    """Providers at the owner's locations only; the linked login is a staff account of those locations."""

    class Meta:
        model = Provider
        fields = ["name", "title", "user", "locations", "is_active"]
        widgets = {"locations": forms.CheckboxSelectMultiple}
        labels = {"user": "Staff login (optional)"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        mine = Location.objects.visible_to(user)
        self.fields["locations"].queryset = mine
        staff = User.objects.filter(is_active=True, locations__in=mine).exclude(role=User.Role.VOICE_AGENT)
        if not user.is_superuser:
            staff = staff.exclude(locations__in=Location.objects.exclude(pk__in=mine.values("pk")))
        self.fields["user"].queryset = staff.distinct().order_by("username")

    def clean_locations(self):
        locations = self.cleaned_data["locations"]
        if not locations:
            raise ValidationError("Choose at least one location.")
        return locations
