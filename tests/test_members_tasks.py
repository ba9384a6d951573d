"""The daily membership jobs, called as Celery tasks: accrue, expire, roll (thaw and end)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from factories import PatientFactory
from members_factories import start_membership

from members import tasks
from members.models import CreditLedgerEntry

pytestmark = pytest.mark.django_db


def at(day: dt.date):
    """Noon in Los Angeles on `day`."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 20, 0, tzinfo=dt.UTC), tick=False)


def test_beat_schedule_lists_the_jobs():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"members.tasks.accrue_credits", "members.tasks.expire_credits",
            "members.tasks.roll_memberships"} <= tasks_scheduled


def test_accrue_job_run_twice_in_one_cycle_accrues_once(westside, downtown):
    with at(dt.date(2026, 3, 10)):
        west = start_membership(PatientFactory(location=westside), started_on=dt.date(2026, 3, 10))
        east = start_membership(PatientFactory(location=downtown), started_on=dt.date(2026, 3, 10))
    with at(dt.date(2026, 4, 10)):
        first = tasks.accrue_credits()
        second = tasks.accrue_credits()
    assert (first["granted"], second["granted"]) == (2, 0)
    for membership in (west, east):
        assert membership.ledger.filter(kind="accrual").count() == 2
        assert membership.balance() == Decimal("200.00")  # March's $100 not yet expired by the job


def test_accrual_uses_each_locations_own_day(westside):
    with at(dt.date(2026, 3, 10)):
        membership = start_membership(PatientFactory(location=westside), started_on=dt.date(2026, 3, 10))
    # 02:00 UTC on Apr 10 is still Apr 9 in Los Angeles: nothing due yet.
    with time_machine.travel(dt.datetime(2026, 4, 10, 2, 0, tzinfo=dt.UTC), tick=False):
        assert tasks.accrue_credits()["granted"] == 0
    with time_machine.travel(dt.datetime(2026, 4, 10, 8, 0, tzinfo=dt.UTC), tick=False):
        assert tasks.accrue_credits()["granted"] == 1
    assert membership.ledger.filter(kind="accrual").count() == 2


def test_expire_job_expires_by_rule_once(westside):
    with at(dt.date(2026, 3, 10)):
        membership = start_membership(PatientFactory(location=westside), started_on=dt.date(2026, 3, 10))
    with at(dt.date(2026, 4, 9)):
        assert tasks.expire_credits()["memberships"] == 0
    with at(dt.date(2026, 4, 10)):
        tasks.accrue_credits()
        assert tasks.expire_credits()["expired"] == "100.00"
        assert tasks.expire_credits()["expired"] == "0.00"
    assert CreditLedgerEntry.objects.filter(membership=membership, kind="expiry").count() == 1
    assert membership.balance() == Decimal("100.00")


def test_past_due_members_accrue_nothing_until_reactivated(westside, alice):
    with at(dt.date(2026, 3, 10)):
        membership = start_membership(PatientFactory(location=westside), started_on=dt.date(2026, 3, 10))
        membership.mark_past_due(by=alice)
    with at(dt.date(2026, 4, 12)):
        assert tasks.accrue_credits()["granted"] == 0
        membership.reactivate(by=alice)
        assert tasks.accrue_credits()["granted"] == 1


def test_roll_job_thaws_freezes_and_ends_cancellations(westside, alice):
    with at(dt.date(2026, 3, 10)):
        frozen = start_membership(PatientFactory(location=westside), started_on=dt.date(2026, 1, 10))
        frozen.freeze(by=alice, months=1)  # until Apr 10; renewal Apr 10 -> May 10
        leaving = start_membership(PatientFactory(location=westside), started_on=dt.date(2025, 1, 20))
        leaving.cancel(requested_on=dt.date(2026, 3, 10), by=alice)  # Mar 20 too soon -> ends Apr 20
    with at(dt.date(2026, 4, 10)):
        assert tasks.roll_memberships() == {"thawed": 1, "ended": 0}
    with at(dt.date(2026, 4, 20)):
        assert tasks.roll_memberships() == {"thawed": 0, "ended": 1}
        tasks.accrue_credits()
    frozen.refresh_from_db()
    leaving.refresh_from_db()
    assert frozen.status == "active" and frozen.next_renewal_on == dt.date(2026, 5, 10)
    assert leaving.status == "ended" and leaving.cancellation_effective_on == dt.date(2026, 4, 20)
    assert not leaving.ledger.filter(kind="accrual", cycle=dt.date(2026, 4, 20)).exists()
    assert [c.to_status for c in leaving.status_changes.order_by("changed_at", "id")] == [
        "active", "cancelled", "ended"]
    assert leaving.status_changes.first().changed_by is None  # the system ended it
