"""Membership status changes: rules, who/when history, audit rows."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from members_factories import PlanFactory, start_membership

from medspa.models import AuditLog

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_freeze_allowance_per_twelve_months(patient, alice):
    membership = start_membership(patient, started_on=dt.date(2025, 6, 1))  # plan allows 2 months a year
    membership.freeze(by=alice, months=1, on=dt.date(2025, 9, 1))
    membership.unfreeze(by=alice, on=dt.date(2025, 10, 1))
    with pytest.raises(ValidationError, match="1 already used, so at most 1 more"):
        membership.freeze(by=alice, months=2, on=dt.date(2026, 3, 10))
    membership.freeze(by=alice, months=1, on=dt.date(2026, 3, 10))
    assert membership.status == "frozen" and membership.freeze_ends_on == dt.date(2026, 4, 10)


def test_plan_without_freeze_refuses(patient, alice):
    membership = start_membership(patient, PlanFactory(name="No Freeze", max_freeze_months_per_year=0),
                                  started_on=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError, match="does not allow freezing"):
        membership.freeze(by=alice, months=1)


def test_cancel_respects_minimum_term_and_is_recorded(patient, alice):
    membership = start_membership(patient, PlanFactory(name="Year", minimum_term_months=12),
                                  started_on=dt.date(2026, 1, 15))
    assert membership.cancel(requested_on=dt.date(2026, 3, 10), by=alice) == dt.date(2027, 1, 15)
    change = membership.status_changes.first()
    assert (change.from_status, change.to_status, change.changed_by, change.effective_on) == (
        "active", "cancelled", alice, dt.date(2026, 3, 10))
    audit = AuditLog.objects.get(action="membership.cancelled")
    assert audit.actor == alice and audit.data["effective_on_date"] == "2027-01-15"
    with pytest.raises(ValidationError, match="cannot be cancelled"):
        membership.cancel(requested_on=dt.date(2026, 3, 11), by=alice)


def test_one_live_membership_per_patient(patient, alice):
    start_membership(patient, started_on=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError, match="already has a membership"):
        start_membership(patient, started_on=dt.date(2026, 3, 1))
