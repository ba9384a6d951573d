"""The ROI model's input form. Owners type percentages (48), the model takes fractions (0.48)."""

from decimal import Decimal

from django import forms

from .roi import RoiInputs

PERCENT_FIELDS = ("bookable_share", "lift", "show_rate", "consult_share", "consult_close_rate", "repeat_share")
HUNDRED = Decimal(100)
PERCENT_ERROR = "Enter a percentage from 0 to 100."


def _percent(label, help_text):
    return forms.DecimalField(
        label=label, help_text=help_text, min_value=0, max_value=100, max_digits=6, decimal_places=2,
        error_messages={"max_value": PERCENT_ERROR, "min_value": PERCENT_ERROR},
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def _money(label, help_text, required=True):
    return forms.DecimalField(
        label=label, help_text=help_text, min_value=0, max_value=1_000_000, max_digits=9, decimal_places=2,
        required=required, widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class RoiForm(forms.Form):
    monthly_calls = forms.DecimalField(
        label="Monthly event and member calls", min_value=0, max_value=1_000_000, max_digits=9, decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    bookable_share = _percent("Share with bookable or member-use intent (%)", "")
    lift = _percent("Recovered-booking lift from immediate answering (%)", "")
    avg_visit_value = _money("Average visit value ($)", "")
    show_rate = _percent("Show rate (%)", "Booked visits that happen.")
    consult_share = _percent("Consults in the treatment mix (%)", "Bookings that are consults first.")
    consult_close_rate = _percent("Consult close rate (%)", "Consults that turn into a treatment.")
    repeat_share = _percent("Repeat-patient share (%)", "")
    member_value = _money("Member / repeat-patient visit value ($)", "")
    bookable_hours_left = forms.DecimalField(
        label="Provider hours still bookable this month", required=False, min_value=0, max_value=100_000,
        max_digits=8, decimal_places=1, help_text="Leave blank to model without a capacity cap.",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    avg_visit_minutes = forms.DecimalField(
        label="Average visit length (minutes)", min_value=5, max_value=600, max_digits=5, decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    @classmethod
    def initial_data(cls, defaults) -> dict[str, str]:
        """Form data (as strings, percentages for shares) from `metrics.roi_defaults()`."""
        data = {}
        for name in cls.base_fields:
            value = defaults[name].value
            if value is None:
                data[name] = ""
                continue
            if name in PERCENT_FIELDS:
                value = value * HUNDRED
            data[name] = format(value.normalize(), "f")
        return data

    def to_inputs(self) -> RoiInputs:
        data = dict(self.cleaned_data)
        for name in PERCENT_FIELDS:
            data[name] = data[name] / HUNDRED
        return RoiInputs(**data)
