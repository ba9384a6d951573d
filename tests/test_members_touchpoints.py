"""Touchpoint queries: who is owed which member touchpoint on a given date."""

import datetime as dt

import pytest
import time_machine
from factories import PatientFactory, VisitFactory
from members_factories import BundleFactory, start_membership

from members import ledger, touchpoints
from members.bundles import redeem_session
from members.models import Membership

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)
MAR_10 = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def by_kind(records, kind):
    return {t.patient.first_name: t for t in records if t.kind == kind}


def test_renewal_reminder_seven_days_before(westside):
    soon = start_membership(PatientFactory(first_name="Soon", location=westside), started_on=dt.date(2026, 2, 17))
    start_membership(PatientFactory(first_name="Later", location=westside), started_on=dt.date(2026, 2, 18))
    frozen = start_membership(PatientFactory(first_name="Frozen", location=westside), started_on=dt.date(2026, 2, 16))
    frozen.freeze(by=None, months=1)
    found = by_kind(touchpoints.renewals_due(MAR_10), "renewal_reminder")
    assert set(found) == {"Soon"}
    touch = found["Soon"]
    assert touch.context["renewal_date"] == "2026-03-17"
    assert touch.context["key"] == f"renewal_reminder:m{soon.pk}:2026-03-17"
    assert touch.due_at == dt.datetime(2026, 3, 10, 17, 0, tzinfo=dt.UTC)  # 10 a.m. in Los Angeles
    # The next day the same renewal gives the same key: the outbox will not send it twice.
    again = by_kind(touchpoints.renewals_due(MAR_10 + dt.timedelta(days=1)), "renewal_reminder")["Soon"]
    assert again.context["key"] == touch.context["key"]


def test_credits_expiring_counts_only_what_is_at_risk(westside):
    unused = start_membership(PatientFactory(first_name="Unused", location=westside),
                              started_on=dt.date(2026, 2, 20))  # $100 expiring Mar 20
    spent = start_membership(PatientFactory(first_name="Spent", location=westside), started_on=dt.date(2026, 2, 20))
    ledger.redeem(spent, 100, VisitFactory(patient=spent.patient), by=None)
    partly = start_membership(PatientFactory(first_name="Partly", location=westside),
                              started_on=dt.date(2026, 2, 22))
    ledger.redeem(partly, 60, VisitFactory(patient=partly.patient), by=None)
    start_membership(PatientFactory(first_name="Fresh", location=westside), started_on=dt.date(2026, 3, 5))
    found = by_kind(touchpoints.credits_expiring(MAR_10, within_days=14), "credits_expiring")
    assert set(found) == {"Unused", "Partly"}
    assert found["Unused"].context["amount_text"] == "$100.00"
    assert found["Unused"].context["expires_on"] == "2026-03-20"
    assert found["Partly"].context["amount"] == "40.00"
    assert found["Unused"].context["key"] == f"credits_expiring:m{unused.pk}:2026-03-20"


def test_bundle_idle_with_sessions_left_and_nothing_booked(westside):
    idle = BundleFactory(patient=PatientFactory(first_name="Idle", location=westside),
                         purchased_on=dt.date(2025, 10, 1))
    VisitFactory(patient=idle.patient, service=idle.service, starts_at=NOW - dt.timedelta(days=60))
    recent = BundleFactory(patient=PatientFactory(first_name="Recent", location=westside),
                           purchased_on=dt.date(2025, 10, 1))
    VisitFactory(patient=recent.patient, service=recent.service, starts_at=NOW - dt.timedelta(days=20))
    booked = BundleFactory(patient=PatientFactory(first_name="Booked", location=westside),
                           purchased_on=dt.date(2025, 10, 1))
    VisitFactory(patient=booked.patient, service=booked.service, starts_at=NOW + dt.timedelta(days=5),
                 status="booked")
    never = BundleFactory(patient=PatientFactory(first_name="Never", location=westside),
                          purchased_on=dt.date(2025, 12, 1))
    used_up = BundleFactory(patient=PatientFactory(first_name="UsedUp", location=westside), sessions_purchased=1,
                            purchased_on=dt.date(2025, 10, 1))

    redeem_session(used_up, VisitFactory(patient=used_up.patient, service=used_up.service,
                                         starts_at=NOW - dt.timedelta(days=100)), by=None)
    found = by_kind(touchpoints.bundles_idle(MAR_10, idle_days=45), "bundle_idle")
    assert set(found) == {"Idle", "Never"}
    assert found["Idle"].context["remaining"] == 6
    assert found["Never"].context["last_visit"] == "2025-12-01"
    assert found["Never"].context["key"] == f"bundle_idle:b{never.pk}:2025-12-01"


def test_bundle_expiring_in_thirty_days(westside):
    BundleFactory(patient=PatientFactory(first_name="Soon", location=westside), purchased_on=dt.date(2025, 4, 1),
                  expires_on=dt.date(2026, 4, 1))
    BundleFactory(patient=PatientFactory(first_name="Far", location=westside), purchased_on=dt.date(2025, 6, 1),
                  expires_on=dt.date(2026, 6, 1))
    BundleFactory(patient=PatientFactory(first_name="Gone", location=westside), purchased_on=dt.date(2025, 3, 1),
                  expires_on=dt.date(2026, 3, 1))
    found = by_kind(touchpoints.bundles_expiring(MAR_10), "bundle_expiring")
    assert set(found) == {"Soon"}
    assert found["Soon"].due_at == dt.datetime(2026, 3, 10, 17, 0, tzinfo=dt.UTC)


def test_due_on_combines_kinds_with_one_query_per_kind(westside, django_assert_max_num_queries):
    for i in range(5):
        start_membership(PatientFactory(first_name=f"M{i}", location=westside), started_on=dt.date(2026, 2, 15))
        BundleFactory(patient=PatientFactory(first_name=f"B{i}", location=westside),
                      purchased_on=dt.date(2025, 4, 1), expires_on=dt.date(2026, 4, 1))
    with django_assert_max_num_queries(4):
        records = touchpoints.due_on(MAR_10)
    kinds = {t.kind for t in records}
    assert kinds == {"renewal_reminder", "credits_expiring", "bundle_idle", "bundle_expiring"}
    assert Membership.objects.count() == 5
