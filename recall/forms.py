from django import forms

from medspa.models import Location, Service

from .models import CallOutcome, RecallSchedule

DAYS = [("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"), ("fri", "Friday"),
        ("sat", "Saturday")]
TIMES = [("morning", "Morning"), ("afternoon", "Afternoon"), ("evening", "Evening")]
SNOOZES = [("14", "In 2 weeks"), ("30", "In a month")]
MAX_UPLOAD = 10 * 1024 * 1024


class SlotRequestForm(forms.Form):
    days = forms.MultipleChoiceField(choices=DAYS, widget=forms.CheckboxSelectMultiple, label="Which days suit you?",
                                     error_messages={"required": "Pick at least one day."})
    times = forms.MultipleChoiceField(choices=TIMES, widget=forms.CheckboxSelectMultiple,
                                      label="What time of day?", error_messages={"required": "Pick a time of day."})
    note = forms.CharField(required=False, max_length=500, label="Anything we should know? (optional)",
                           widget=forms.Textarea(attrs={"rows": 3}))

    def slot_request(self) -> dict:
        """What the patient asked for, in words: Handoff.context["request"] and LinkAction.data."""
        data = self.cleaned_data
        return {"days": [label for value, label in DAYS if value in data["days"]],
                "times": [label.lower() for value, label in TIMES if value in data["times"]],
                "note": data.get("note", "")}


class SnoozeForm(forms.Form):
    days = forms.TypedChoiceField(choices=SNOOZES, coerce=int, widget=forms.RadioSelect, label="Remind me")


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Header: patient_id,first_name,last_name,phone,email,"
                                                       "location,service,provider,visit_date,status,amount "
                                                       "(optional: sms_consent, email_consent as yes/no)")
    consent = forms.BooleanField(
        required=False, label="Every patient in this file agreed to receive texts from us",
        help_text="Leave unticked if you are not sure: patients without recorded consent are never texted.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is larger than 10 MB; split it or use `manage.py import_history`.")
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Upload a .csv file.")
        return upload


class DueFilterForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.all(), required=False, empty_label="All services")
    # The state is the timeline alone; who can be reached is the Reach column and the call list.
    state = forms.ChoiceField(required=False, choices=[("", "Due, late and lapsed"),
                                                       *RecallSchedule.State.choices])
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, empty_label="All locations")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.visible_to(user)


class CallListFilterForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.all(), required=False, empty_label="All services")
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, empty_label="All locations")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.visible_to(user)


class CallOutcomeForm(forms.Form):
    OUTCOMES = CallOutcome.Outcome.choices
    outcome = forms.ChoiceField(choices=OUTCOMES)
