"""An owner sets business hours on a phone (390 px): the weekly grid fits the screen, the page runs under
the Content-Security-Policy without script errors or refusals, and the hours are saved."""

import pytest
from factories import UserFactory
from playwright.sync_api import expect

from medspa.models import Location


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_owner_edits_hours_on_a_phone(live_server, login, page, westside):
    owner = UserFactory(username="wendy", role="owner", locations=[westside])
    errors = []  # script errors and Content-Security-Policy refusals (a missing favicon is neither)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.set_viewport_size({"width": 390, "height": 844})
    login(owner)
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Westside Aesthetics").click()
    expect(page.get_by_role("heading", name="Westside Aesthetics")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("#id_sat_opens", "10:00")
    page.fill("#id_sat_closes", "14:00")
    page.fill("#id_sun_opens", "")
    page.get_by_role("button", name="Save Westside Aesthetics").click()
    expect(page.get_by_text("Saved Westside Aesthetics")).to_be_visible()
    assert Location.objects.get(pk=westside.pk).business_hours["sat"] == ["10:00", "14:00"]
    page.goto(f"{live_server.url}/settings/audit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
