"""Coordinator journeys in Chromium: log in, open a patient; a safety escalation arrives live."""

import re

import pytest
from factories import VisitFactory
from playwright.sync_api import expect

from medspa.models import Handoff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_logs_in_and_opens_a_patient(login, alice, patient, live_server):
    VisitFactory(patient=patient, value=480)
    page = login(alice)
    page.get_by_role("link", name="Patients").click()
    page.get_by_role("searchbox").fill("Rivera")
    page.get_by_role("link", name="Jordan Rivera").click()
    expect(page.get_by_role("heading", name="Jordan Rivera")).to_be_visible()
    visits = page.locator("section", has=page.get_by_role("heading", name="Visits", exact=True))
    expect(visits.get_by_role("cell", name="Neurotoxin")).to_be_visible()
    expect(visits.get_by_role("cell", name="$480")).to_be_visible()


def test_safety_escalation_appears_on_top_and_needs_a_note(login, alice, westside, live_server, settings):
    settings.INBOX_POLL_SECONDS = 1
    Handoff.objects.create(location=westside, route="booking", source="call", title="Wants Botox before a wedding",
                           value=450)
    page = login(alice)
    page.goto(live_server.url + "/inbox/")
    expect(page.locator(".queue-item")).to_have_count(1)

    Handoff.objects.create(location=westside, route="safety_escalation", source="call",
                           title="Trouble swallowing since Botox", reasons=["trouble swallowing"])
    first = page.locator(".queue-item").first
    expect(first).to_contain_text("Trouble swallowing since Botox", timeout=10_000)  # arrived without a reload
    expect(first).to_contain_text("URGENT")
    expect(page.get_by_role("alert")).to_contain_text("1 open safety escalation")

    first.get_by_role("link").click()
    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_test_id("item-status")).to_have_text("Claimed")
    page.get_by_label("Outcome").select_option("referred_to_care")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("cannot be resolved without a note")).to_be_visible()
    expect(page.get_by_test_id("item-status")).to_have_text("Claimed")

    page.get_by_label(re.compile("Note")).fill("Called back at once; sent to urgent care; Dr. Patel informed.")
    page.get_by_label("Outcome").select_option("referred_to_care")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_test_id("item-status")).to_have_text("Done")
    assert Handoff.objects.get(route="safety_escalation").resolution_note.startswith("Called back")
