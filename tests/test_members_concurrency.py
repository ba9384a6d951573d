"""Two coordinators spend the same member's credit at the same moment, on real PostgreSQL."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connections
from factories import LocationFactory, PatientFactory, VisitFactory
from members_factories import BundleFactory, service, start_membership

from members import ledger
from members.bundles import BundleError, redeem_session
from members.models import Membership


def _collide(work, count=2):
    """Run `work(i)` in `count` threads, each on its own connection, released together by a barrier."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = ("ok", work(i))
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_redemptions_against_a_balance_for_one(settings):
    location = LocationFactory(name="Race Clinic")
    patient = PatientFactory(first_name="Robin", location=location)
    today = location.local().date()
    membership = start_membership(patient, started_on=today)  # $100 credit
    neurotoxin = service("Neurotoxin")
    visits = [VisitFactory(patient=patient, service=neurotoxin) for _ in range(2)]

    outcomes = _collide(lambda i: ledger.redeem(Membership(pk=membership.pk), Decimal("70"), visits[i], by=None))

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"]
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, ledger.InsufficientCredit)
    assert "has $30.00 and this needs $70.00" in error.messages[0]
    assert membership.balance() == Decimal("30.00")
    assert membership.ledger.filter(kind="redemption").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bundle_redemptions_for_the_last_session():
    location = LocationFactory(name="Race Clinic")
    patient = PatientFactory(first_name="Robin", location=location)
    bundle = BundleFactory(patient=patient, sessions_purchased=1, service=service("Laser hair removal"),
                           purchased_on=location.local().date() - dt.timedelta(days=90))
    visits = [VisitFactory(patient=patient, service=bundle.service) for _ in range(2)]

    outcomes = _collide(lambda i: redeem_session(bundle, visits[i], by=None))

    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"]
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, BundleError) and "All 1 sessions" in error.messages[0]
    assert bundle.redemptions.count() == 1
