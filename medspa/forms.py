from datetime import UTC

from django import forms
from django.utils import timezone

from .models import Location, Patient, Provider, Service, Visit

CONSENT_SOURCES = [(Patient.ConsentSource.INTAKE_FORM, "Intake form (patient filled it in)"),
                   (Patient.ConsentSource.VERBAL, "Said so to staff (in person or on the phone)"),
                   (Patient.ConsentSource.WRITTEN, "Signed consent form")]


class ConsentFields(forms.Form):
    """What the patient agreed to, and how we know (recorded with source and time: Patient.record_consent)."""

    sms_consent = forms.BooleanField(required=False, label="Patient agreed to receive texts")
    email_consent = forms.BooleanField(required=False, label="Patient agreed to receive email")
    consent_source = forms.ChoiceField(choices=CONSENT_SOURCES, initial=Patient.ConsentSource.INTAKE_FORM,
                                       required=False, label="How the patient agreed")

    def record_consent(self, patient, actor) -> list[str]:
        """Record each channel whose answer changed; returns the channels recorded."""
        source = self.cleaned_data["consent_source"] or Patient.ConsentSource.INTAKE_FORM
        return [channel for channel in ("sms", "email")
                if patient.record_consent(channel, self.cleaned_data[f"{channel}_consent"], source, actor=actor)]


class PatientForm(ConsentFields, forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["first_name", "last_name", "phone", "email", "date_of_birth", "location"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}
        error_messages = {"phone": {"invalid": "Enter a real phone number, e.g. (415) 555-0134."}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["location"].queryset = Location.objects.visible_to(user)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        if self.instance.pk:
            self.fields["sms_consent"].initial = self.instance.sms_consent
            self.fields["email_consent"].initial = self.instance.email_consent

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("email_consent") and not cleaned.get("email"):
            self.add_error("email", "Add the email address the patient agreed to receive email at.")
        return cleaned

    def save(self, commit=True):
        patient = super().save(commit=False)
        if "phone" in self.changed_data:  # a corrected number may be texted again
            patient.phone_invalid_at, patient.phone_invalid_reason = None, ""
        if commit:
            patient.save()
            self.record_consent(patient, self.user)
        return patient


class PatientConsentForm(ConsentFields):
    """The consent card on the patient page."""

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.fields["sms_consent"].initial = patient.sms_consent
        self.fields["email_consent"].initial = patient.email_consent

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("email_consent") and not self.patient.email:
            self.add_error("email_consent", "This patient has no email address: add it first (Edit).")
        if cleaned.get("sms_consent") and self.patient.sms_opted_out_at:
            self.add_error("sms_consent", "This patient opted out by text: texting START to the clinic's number "
                                          "opts them back in.")
        return cleaned


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
