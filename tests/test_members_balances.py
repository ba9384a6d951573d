"""member_snapshot (figures for call summaries and the voice flow) and verify_caller."""

import datetime as dt

import pytest
import time_machine
from factories import VisitFactory
from members_factories import BundleFactory, DepositFactory, start_membership, tox_plan

from medspa.callers import verify_caller
from members import ledger
from members.balances import member_snapshot

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_snapshot_of_a_non_member_lists_bundles_and_deposits(patient):
    BundleFactory(patient=patient, sessions_purchased=6, purchased_on=dt.date(2026, 1, 5),
                  expires_on=dt.date(2027, 1, 5))
    DepositFactory(patient=patient, amount=50)
    snap = member_snapshot(patient)
    assert snap["member"] is False
    assert snap["bundles"] == [{"service": "Laser hair removal", "sessions_purchased": 6, "remaining": 6,
                                "expires_on": "2027-01-05", "expired": False}]
    assert snap["deposits_held"][0]["amount"] == "50.00"
    assert snap["context"]["status"] == "not a member"


def test_snapshot_reports_ledger_balance_renewal_and_cancellation_window(patient):
    membership = start_membership(patient, tox_plan(minimum_term_months=0), started_on=dt.date(2026, 2, 20))
    ledger.redeem(membership, 12, VisitFactory(patient=patient), by=None)
    snap = member_snapshot(patient)
    assert snap["plan"] == "Tox Club" and snap["status"] == "active"
    # The Feb 20 cycle granted 20 units (usable until Mar 20); 12 were used.
    assert snap["balance"] == {"kind": "service_units", "service": "Neurotoxin", "amount": "8.00",
                               "text": "8 Neurotoxin units"}
    assert snap["renewal_date"] == "2026-03-20"
    # Too late to avoid the Mar 20 charge (30 days' notice); cancelling by Mar 21 avoids Apr 20's.
    assert snap["cancellation"]["deadline"] == "2026-03-21"
    assert snap["cancellation"]["notice_days"] == 30
    assert snap["context"] == {"plan": "Tox Club", "status": "Active", "balance": "8 Neurotoxin units",
                               "renewal_date": "2026-03-20"}


def test_snapshot_after_cancellation_gives_the_end_date(patient, alice):
    membership = start_membership(patient, started_on=dt.date(2025, 6, 1))
    membership.cancel(requested_on=dt.date(2026, 3, 10), by=alice)
    snap = member_snapshot(patient)
    assert snap["status"] == "cancelled" and snap["renewal_date"] is None
    assert snap["cancellation"]["effective_on"] == "2026-05-01"  # Apr 1 is inside 30 days' notice


@pytest.mark.parametrize(("from_number", "dob", "expected"), [
    ("+14155550134", "1990-04-12", True),
    ("(415) 555-0134", "04/12/1990", True),
    ("+14155550134", "April 12th, 1990", True),
    ("+14155550134", "04121990", True),
    ("+14155550134", dt.date(1990, 4, 12), True),
    ("+14155550134", "1990-12-04", False),   # day and month swapped
    ("+14155550134", "", False),             # caller ID alone is not enough
    ("+13105550199", "1990-04-12", False),   # right birthday, another phone
    ("anonymous", "1990-04-12", False),
])
def test_verify_caller_needs_number_on_file_and_date_of_birth(patient, from_number, dob, expected):
    patient.date_of_birth = dt.date(1990, 4, 12)
    patient.save()
    assert verify_caller(patient, from_number, dob) is expected


def test_patient_without_date_of_birth_is_never_verified(patient):
    assert patient.date_of_birth is None
    assert verify_caller(patient, "+14155550134", "1990-04-12") is False
