from datetime import UTC

from django import forms
from django.utils import timezone

from .models import Location, Patient, Provider, Service, Visit


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["first_name", "last_name", "phone", "email", "date_of_birth", "location", "sms_consent"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}
        labels = {"sms_consent": "Patient agreed to receive texts"}
        error_messages = {"phone": {"invalid": "Enter a real phone number, e.g. (415) 555-0134."}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.visible_to(user)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def save(self, commit=True):
        patient = super().save(commit=False)
        if "sms_consent" in self.changed_data and patient.sms_consent:
            patient.sms_consent_at = timezone.now()
            patient.sms_consent_source = Patient.ConsentSource.INTAKE_FORM
        if "phone" in self.changed_data:  # a corrected number may be texted again
            patient.phone_invalid_at, patient.phone_invalid_reason = None, ""
        if commit:
            patient.save()
        return patient


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["service", "provider", "location", "starts_at", "status", "value", "notes"]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "notes": forms.Textarea(attrs={"rows": 2})}
        labels = {"starts_at": "Date and time"}
        help_texts = {"starts_at": "Local time at the visit's location."}

    def __init__(self, *args, user, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        locations = Location.objects.visible_to(user)
        self.fields["location"].queryset = locations
        self.fields["location"].initial = patient.location_id
        if not self.is_bound:
            self.fields["starts_at"].initial = patient.location.local().replace(second=0, microsecond=0, tzinfo=None)
        self.fields["service"].queryset = Service.objects.active()
        self.fields["provider"].queryset = Provider.objects.filter(
            is_active=True, locations__in=locations
        ).distinct()

    def clean(self):
        cleaned = super().clean()
        starts_at, status, location = cleaned.get("starts_at"), cleaned.get("status"), cleaned.get("location")
        if starts_at and location:
            # The browser sends wall-clock time; Django read it as UTC. It is the location's local time.
            starts_at = starts_at.astimezone(UTC).replace(tzinfo=None).replace(tzinfo=location.tz)
            cleaned["starts_at"] = starts_at
        if starts_at and status == Visit.Status.COMPLETED and starts_at > timezone.now():
            local_now = (location.local() if location else timezone.now()).strftime("%-I:%M %p")
            self.add_error("starts_at", f"A completed visit cannot be in the future (it is {local_now} there now). "
                                        "Record it as booked, or fix the time.")
        return cleaned

    def save(self, commit=True):
        visit = super().save(commit=False)
        visit.patient = self.patient
        if commit:
            visit.save()
        return visit
