"""Bundle sessions: redeem rules and the one-click patient-page button (htmx and plain POST)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from factories import PatientFactory, VisitFactory
from members_factories import BundleFactory, service

from members.bundles import BundleError, redeem_session
from members.models import Bundle

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def bundle(patient):
    return BundleFactory(patient=patient, sessions_purchased=2, purchased_on=dt.date(2026, 1, 5),
                         expires_on=dt.date(2026, 12, 31))


def lhr_visit(patient, days_ago=3, **kwargs):
    return VisitFactory(patient=patient, service=service("Laser hair removal"),
                        starts_at=NOW - dt.timedelta(days=days_ago), **kwargs)


def remaining(bundle):
    return Bundle.objects.with_remaining().get(pk=bundle.pk).remaining


def test_redeem_counts_down_and_refuses_when_exhausted(bundle, patient, alice):
    redeem_session(bundle, lhr_visit(patient, 40), by=alice)
    redeem_session(bundle, lhr_visit(patient, 3), by=alice)
    assert remaining(bundle) == 0
    with pytest.raises(BundleError, match="All 2 sessions of this bundle are used"):
        redeem_session(bundle, lhr_visit(patient, 1), by=alice)


@pytest.mark.parametrize(("make_visit", "message"), [
    (lambda p: VisitFactory(patient=p, service=service("HydraFacial")), "bundle is for Laser hair removal"),
    (lambda p: lhr_visit(PatientFactory(location=p.location)), "belongs to another patient"),
    (lambda p: lhr_visit(p, status="no_show"), "Only a completed visit"),
    (lambda p: lhr_visit(p, days_ago=90), "before the bundle was bought"),
])
def test_redeem_refuses_wrong_visits(bundle, patient, make_visit, message):
    with pytest.raises(BundleError, match=message):
        redeem_session(bundle, make_visit(patient), by=None)
    assert remaining(bundle) == 2


def test_expired_bundle_and_double_use_are_refused(patient):
    old = BundleFactory(patient=patient, purchased_on=dt.date(2025, 1, 5), expires_on=dt.date(2026, 1, 5))
    with pytest.raises(BundleError, match="expired on Jan 5, 2026"):
        redeem_session(old, lhr_visit(patient), by=None)
    fresh = BundleFactory(patient=patient, purchased_on=dt.date(2026, 1, 5))
    visit = lhr_visit(patient)
    redeem_session(fresh, visit, by=None)
    with pytest.raises(BundleError, match="already used a bundle session"):
        redeem_session(fresh, visit, by=None)


def test_patient_page_button_htmx_returns_updated_card(alice_client, bundle, patient):
    visit = lhr_visit(patient)
    page = alice_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Use bundle session (2 left)" in page
    url = reverse("members:bundle_redeem", args=[bundle.pk, visit.pk])
    response = alice_client.post(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "1 of 2 left" in body and "Session used" in body
    assert "Use bundle session" not in body  # that visit is used; no other visit waits
    again = alice_client.post(url, HTTP_HX_REQUEST="true")
    assert again.status_code == 400 and "already used a bundle session" in again.content.decode()
    assert remaining(bundle) == 1


def test_button_works_without_htmx(alice_client, bundle, patient):
    visit = lhr_visit(patient)
    response = alice_client.post(reverse("members:bundle_redeem", args=[bundle.pk, visit.pk]), follow=True)
    assert "1 of 2 left" in response.content.decode()


def test_other_locations_bundle_is_404(client, bob, bundle, patient):
    client.force_login(bob)
    visit = lhr_visit(patient)
    assert client.post(reverse("members:bundle_redeem", args=[bundle.pk, visit.pk])).status_code == 404
    assert remaining(bundle) == 2


def test_record_a_bundle_purchase(alice_client, patient):
    response = alice_client.post(reverse("members:bundle_add", args=[patient.pk]), {
        "service": service("HydraFacial").pk, "sessions_purchased": 4, "price_paid": "800",
        "purchased_on": "2026-03-10", "expires_on": "2026-03-01",
    }, follow=True)
    assert "cannot expire before it was bought" in response.content.decode()
    alice_client.post(reverse("members:bundle_add", args=[patient.pk]), {
        "service": service("HydraFacial").pk, "sessions_purchased": 4, "price_paid": "800",
        "purchased_on": "2026-03-10", "expires_on": "2027-03-10",
    })
    assert Bundle.objects.get(patient=patient).sessions_purchased == 4
