"""The ROI model's arithmetic (medspa.dashboards.roi): the planning figure and the adjusted view."""

from decimal import Decimal

import pytest

from medspa.dashboards.roi import RoiInputs, model

PLANNING = {"monthly_calls": 520, "bookable_share": "0.48", "lift": "0.25", "avg_visit_value": 527}


def test_planning_inputs_give_32885_a_month():
    result = model(RoiInputs(**PLANNING))
    assert result.recovered_bookings == Decimal("62.4")
    assert result.modeled_monthly_value == 32885  # 62.4 x 527 = 32,884.80, rounded to the dollar
    assert result.adjusted_monthly_value == 32885  # no adjustments: shows, closes, no cap, same value


def test_rounding_is_half_up_to_the_dollar():
    assert model(RoiInputs(monthly_calls=1, bookable_share=1, lift=1, avg_visit_value="10.50")).modeled_monthly_value \
        == 11
    assert model(RoiInputs(monthly_calls=1, bookable_share=1, lift=1, avg_visit_value="10.49")).modeled_monthly_value \
        == 10


def test_show_rate_consult_mix_and_close_rate():
    result = model(RoiInputs(**PLANNING, show_rate="0.8", consult_share="0.5", consult_close_rate="0.4"))
    # 62.4 x 0.8 = 49.92 shown; x (0.5 + 0.5 x 0.4) = 34.944 treatments; x $527 = 18,415.49
    assert result.shown_visits == Decimal("49.92")
    assert result.treatment_visits == Decimal("34.944")
    assert result.adjusted_monthly_value == 18415
    assert result.modeled_monthly_value == 32885  # the planning figure is untouched


def test_capacity_caps_visits():
    result = model(RoiInputs(**PLANNING, bookable_hours_left=30, avg_visit_minutes=45))
    assert result.capacity_visits == 40  # 30 h x 60 / 45 min
    assert result.capacity_limited is True
    assert result.adjusted_visits == 40
    assert result.adjusted_monthly_value == 40 * 527


def test_capacity_rounds_down_and_does_not_cap_when_enough():
    result = model(RoiInputs(**PLANNING, bookable_hours_left=100, avg_visit_minutes=70))
    assert result.capacity_visits == 85  # 6000 / 70 = 85.7
    assert result.capacity_limited is False
    assert result.adjusted_visits == Decimal("62.4")


def test_blended_value_mixes_member_value_by_repeat_share():
    result = model(RoiInputs(**PLANNING, repeat_share="0.73", member_value=300))
    # 0.27 x 527 + 0.73 x 300 = 142.29 + 219 = 361.29; x 62.4 = 22,544.496
    assert result.blended_visit_value == Decimal("361.29")
    assert result.adjusted_monthly_value == 22544


def test_member_value_defaults_to_average_visit_value():
    assert model(RoiInputs(**PLANNING, repeat_share="0.73")).blended_visit_value == Decimal(527)


def test_everything_together():
    result = model(RoiInputs(
        monthly_calls=400, bookable_share="0.5", lift="0.3", avg_visit_value=500, show_rate="0.9",
        consult_share="0.25", consult_close_rate="0.6", repeat_share="0.5", member_value=700,
        bookable_hours_left=40, avg_visit_minutes=60,
    ))
    # 60 bookings -> 54 shown -> 54 x (0.75 + 0.15) = 48.6 -> cap 40 -> x (250 + 350) = 24,000
    assert result.modeled_monthly_value == 30000
    assert result.adjusted_visits == 40
    assert result.adjusted_monthly_value == 24000


@pytest.mark.parametrize("bad", [{"lift": "1.5"}, {"show_rate": "-0.1"}, {"monthly_calls": -1},
                                 {"avg_visit_minutes": 0}])
def test_impossible_inputs_are_refused(bad):
    with pytest.raises(ValueError):
        model(RoiInputs(**{**PLANNING, **bad}))
