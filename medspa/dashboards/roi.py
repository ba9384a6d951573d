"""The campaign call ROI model: pure arithmetic, no database, no Django.

It is a *model*, not a forecast and not guaranteed revenue. Every input is editable by the owner;
`metrics.roi_defaults()` fills them from the clinic's own last 30 days where data exists.

Modeled monthly value (the four-number planning model)
------------------------------------------------------
    recovered bookings  = monthly calls x bookable share x recovered-booking lift
    modeled value       = recovered bookings x average visit value, rounded to the dollar

    520 calls x 48% x 25% x $527 = 62.4 bookings x $527 = $32,884.80 -> $32,885 per month.

Adjusted view
-------------
    shown visits        = recovered bookings x show rate
    treatments          = shown visits x ((1 - consult share) + consult share x consult close rate)
                          (treatment mix: a booked consult only becomes revenue if it closes)
    capacity visits     = floor(bookable hours left x 60 / average visit minutes)   (no cap if hours blank)
    adjusted visits     = min(treatments, capacity visits)
    blended visit value = (1 - repeat-patient share) x average visit value
                          + repeat-patient share x member / repeat-patient visit value
    adjusted value      = adjusted visits x blended visit value, rounded to the dollar

Shares and rates are fractions (0.48, not 48). Money is Decimal; rounding is half-up to whole dollars.
"""

from dataclasses import asdict, dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

ZERO, ONE = Decimal(0), Decimal(1)
DOLLAR = Decimal(1)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def whole_dollars(amount: Decimal) -> int:
    return int(amount.quantize(DOLLAR, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class RoiInputs:
    monthly_calls: Decimal
    bookable_share: Decimal
    lift: Decimal
    avg_visit_value: Decimal
    show_rate: Decimal = ONE
    consult_share: Decimal = ZERO
    consult_close_rate: Decimal = ONE
    repeat_share: Decimal = ZERO
    member_value: Decimal | None = None  # None: same as avg_visit_value
    bookable_hours_left: Decimal | None = None  # None: capacity not modelled
    avg_visit_minutes: Decimal = Decimal(60)

    def __post_init__(self):
        for name, value in asdict(self).items():
            if value is None:
                continue
            if not isinstance(value, Decimal):
                object.__setattr__(self, name, Decimal(str(value)))
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative.")
        for name in ("bookable_share", "lift", "show_rate", "consult_share", "consult_close_rate", "repeat_share"):
            if getattr(self, name) > 1:
                raise ValueError(f"{name} is a fraction between 0 and 1.")
        if self.avg_visit_minutes <= 0:
            raise ValueError("avg_visit_minutes must be more than zero.")


@dataclass(frozen=True)
class RoiResult:
    inputs: RoiInputs
    recovered_bookings: Decimal
    modeled_monthly_value: int
    shown_visits: Decimal
    treatment_visits: Decimal
    capacity_visits: int | None
    capacity_limited: bool
    adjusted_visits: Decimal
    blended_visit_value: Decimal
    adjusted_monthly_value: int

    def to_dict(self) -> dict:
        def one_place(d: Decimal) -> float:
            return float(d.quantize(TENTH, rounding=ROUND_HALF_UP))

        return {
            "modeled_monthly_value": self.modeled_monthly_value,
            "recovered_bookings": one_place(self.recovered_bookings),
            "adjusted": {
                "shown_visits": one_place(self.shown_visits),
                "treatment_visits": one_place(self.treatment_visits),
                "capacity_visits": self.capacity_visits,
                "capacity_limited": self.capacity_limited,
                "adjusted_visits": one_place(self.adjusted_visits),
                "blended_visit_value": float(self.blended_visit_value.quantize(CENT, rounding=ROUND_HALF_UP)),
                "adjusted_monthly_value": self.adjusted_monthly_value,
            },
            "inputs": {k: (None if v is None else float(v)) for k, v in asdict(self.inputs).items()},
            "disclaimer": "A model, not guaranteed revenue.",
        }


def model(inputs: RoiInputs) -> RoiResult:
    """Run the planning model and the adjusted view (formulas in the module docstring)."""
    recovered = inputs.monthly_calls * inputs.bookable_share * inputs.lift
    modeled = whole_dollars(recovered * inputs.avg_visit_value)

    shown = recovered * inputs.show_rate
    treatments = shown * ((ONE - inputs.consult_share) + inputs.consult_share * inputs.consult_close_rate)
    capacity = None
    if inputs.bookable_hours_left is not None:
        capacity = int((inputs.bookable_hours_left * 60 / inputs.avg_visit_minutes).to_integral_value(ROUND_FLOOR))
    adjusted_visits = treatments if capacity is None else min(treatments, Decimal(capacity))
    member_value = inputs.avg_visit_value if inputs.member_value is None else inputs.member_value
    blended = (ONE - inputs.repeat_share) * inputs.avg_visit_value + inputs.repeat_share * member_value
    adjusted = whole_dollars(adjusted_visits * blended)

    return RoiResult(
        inputs=inputs,
        recovered_bookings=recovered,
        modeled_monthly_value=modeled,
        shown_visits=shown,
        treatment_visits=treatments,
        capacity_visits=capacity,
        capacity_limited=capacity is not None and treatments > capacity,
        adjusted_visits=adjusted_visits,
        blended_visit_value=blended,
        adjusted_monthly_value=adjusted,
    )
