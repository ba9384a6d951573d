"""The recall clock's boundaries and the template rules, as pure functions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from medspa.models import Service
from recall import clock
from recall.models import RecallRule
from recall.wording import render, segments, validate_template

LAST = dt.date(2026, 1, 1)


def rule(**kw):
    defaults = {"interval_days": 90, "window_opens_days": 7, "late_after_days": 21, "lapsed_after_days": 90,
                "max_touches": 3, "min_days_between": 14}
    return RecallRule(**{**defaults, **kw})


@pytest.mark.parametrize(("offset", "state", "touch"), [
    (-8, "upcoming", None),      # the day before the window opens
    (-7, "due", "on_time"),      # window opens
    (0, "due", "on_time"),       # due date
    (20, "due", "on_time"),
    (21, "late", "late"),        # +21
    (89, "late", "late"),
    (90, "lapsed", "reactivation"),  # +90
])
def test_states_and_owed_touch_at_the_boundaries(offset, state, touch):
    due = LAST + dt.timedelta(days=90)
    p = clock.plan(due + dt.timedelta(days=offset), last_visit=LAST, rule=rule())
    assert (p.state, p.touch) == (state, touch)


def test_one_touch_per_stage_spacing_and_cap():
    r = rule()
    due = clock.due_date(LAST, r)
    sent_day = due - dt.timedelta(days=7)
    after_on_time = clock.plan(sent_day, last_visit=LAST, rule=r, touches_sent=1, kinds_sent={"on_time"},
                               last_touch_day=sent_day)
    assert after_on_time.touch is None and after_on_time.next_check == due + dt.timedelta(days=21)
    # The late nudge waits for min_days_between after the previous touch.
    close = clock.plan(due + dt.timedelta(days=21), last_visit=LAST, rule=r, touches_sent=1, kinds_sent={"on_time"},
                       last_touch_day=due + dt.timedelta(days=10))
    assert close.touch is None and close.next_check == due + dt.timedelta(days=24)
    capped = clock.plan(due + dt.timedelta(days=95), last_visit=LAST, rule=rule(max_touches=2), touches_sent=2,
                        kinds_sent={"on_time", "late"})
    # Nothing more to send; the only thing left is the reactivation cutoff (lapsed + 365 by default).
    assert capped.touch is None and capped.next_check == due + dt.timedelta(days=90 + 365)
    never = clock.plan(due + dt.timedelta(days=95), last_visit=LAST, rule=rule(max_touches=2, stop_after_lapsed_days=0),
                       touches_sent=2, kinds_sent={"on_time", "late"})
    assert never.touch is None and never.next_check is None


def test_snooze_defers_the_touch():
    r = rule()
    due = clock.due_date(LAST, r)
    p = clock.plan(due, last_visit=LAST, rule=r, snoozed_until=due + dt.timedelta(days=5))
    assert p.touch is None and p.next_check == due + dt.timedelta(days=5)


def test_next_touch_looks_forward_without_state():
    r = rule()
    assert clock.next_touch(LAST, last_visit=LAST, rule=r) == (LAST + dt.timedelta(days=83), "on_time")


@pytest.mark.django_db
def test_template_rules():
    validate_template("Hi {first_name}, {clinic} here. Time for a visit? {link}")
    with pytest.raises(ValidationError, match="treatment"):
        validate_template("Hi {first_name}, time for your Botox! {link}")
    with pytest.raises(ValidationError, match="Only"):
        validate_template("Hi {first_name} {last_name} {link}")
    with pytest.raises(ValidationError, match="Include"):
        validate_template("Hi {first_name}")
    with pytest.raises(ValidationError, match="Unicode"):
        validate_template("Hi {first_name} \u2019 {link}")
    with pytest.raises(ValidationError, match="Too long"):
        validate_template("Hi {first_name}. " + "We miss you. " * 22 + "{link}")


@pytest.mark.django_db
def test_default_templates_are_valid_and_render_within_two_segments():
    r = RecallRule(interval_days=90)
    for kind in ("on_time", "late", "reactivation"):
        validate_template(r.template_for(kind))
        text = render(r.template_for(kind), first_name="Zoë-Anastasia Marie", clinic="Westside Aesthetics",
                      link="https://frontdesk.example.com/r/" + "x" * 22 + "/")
        assert segments(text) <= 2
        assert "Zoe" in text


@pytest.mark.django_db
def test_owner_edited_rule_is_validated():
    rule = RecallRule.for_service(Service.objects.get(name="Lip filler"))
    assert rule.interval_days == 180
    rule.late_template = "Hi {first_name}, your lip augmentation is overdue! {link}"
    rule.lapsed_after_days = 10
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "treatment" in str(caught.value.message_dict["late_template"])
    assert "Lapsed must come after late." in caught.value.message_dict["lapsed_after_days"]
