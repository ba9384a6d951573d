"""A coordinator uses a bundle session for a visit from the patient page; the count drops by one."""

import datetime as dt

import pytest
from django.utils import timezone
from factories import PatientFactory, UserFactory, VisitFactory
from members_factories import BundleFactory, service
from playwright.sync_api import expect

from members.models import Bundle


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_coordinator_redeems_a_bundle_session_from_the_patient_page(live_server, login, westside):
    casey = UserFactory(username="casey", role="coordinator", locations=[westside])
    patient = PatientFactory(first_name="Jordan", last_name="Rivera", location=westside)
    lhr = service("Laser hair removal")
    bundle = BundleFactory(patient=patient, service=lhr, sessions_purchased=6,
                           purchased_on=timezone.localdate() - dt.timedelta(days=120))
    VisitFactory(patient=patient, service=lhr, starts_at=timezone.now() - dt.timedelta(days=2))

    page = login(casey)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    card = page.locator(f"#bundle-{bundle.pk}")
    expect(card.get_by_test_id("bundle-remaining")).to_have_text("6 of 6 left")

    card.get_by_role("button", name="Use bundle session (6 left)").click()

    expect(page.locator(f"#bundle-{bundle.pk}").get_by_test_id("bundle-remaining")).to_have_text("5 of 6 left")
    expect(page.locator(f"#bundle-{bundle.pk}")).to_contain_text("Session used")
    assert Bundle.objects.with_remaining().get(pk=bundle.pk).remaining == 5
    # The page still says so after a reload (the count comes from the database).
    page.reload()
    expect(page.locator(f"#bundle-{bundle.pk}").get_by_test_id("bundle-remaining")).to_have_text("5 of 6 left")
