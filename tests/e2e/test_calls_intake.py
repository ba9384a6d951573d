"""Journey: a coordinator takes a call on the intake form, watches the route update live, saves, reads the summary."""

import pytest
from factories import UserFactory
from playwright.sync_api import expect

from calls.models import Call


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_coordinator_takes_a_call_and_sees_the_summary(login, live_server, westside):
    casey = UserFactory(username="casey", role="coordinator", locations=[westside])
    page = login(casey)
    page.set_viewport_size({"width": 375, "height": 800})  # on a phone
    page.goto(live_server.url + "/calls/new/")
    page.fill("#id_caller_name", "Ana Lee")
    page.fill("#id_phone", "(415) 555-0177")
    page.locator("#id_notes").press_sequentially("Can I book Botox for the VIP night?", delay=5)
    expect(page.locator("#live-route")).to_have_text("Booking")
    expect(page.locator("#live-missing")).to_contain_text("Callback window")

    page.locator("#id_notes").press("Enter")
    page.locator("#id_notes").press_sequentially("Since my filler yesterday my lip looks white and hurts", delay=5)
    expect(page.locator("#live-route")).to_have_text("Safety escalation")
    expect(page.locator("#live")).to_contain_text("call 911 now")

    page.click("button[type=submit]:has-text('Save call')")
    expect(page.locator("h1")).to_contain_text("Call from Ana Lee")
    expect(page.locator(".call-summary")).to_contain_text("URGENT")
    expect(page.locator(".call-summary")).to_contain_text("Since my filler yesterday my lip looks white and hurts")
    call = Call.objects.get()
    assert call.route == "safety_escalation" and call.handoff.route == "safety_escalation"
