"""A patient asks for a time from the recall link on a phone; the coordinator sees it in the inbox."""

import datetime as dt

import pytest
from django.utils import timezone
from factories import VisitFactory, service
from playwright.sync_api import expect

from recall.models import RecallLink, RecallSchedule

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_patient_requests_tuesday_afternoon_and_coordinator_sees_it(browser, login, alice, patient, live_server):
    last = timezone.now() - dt.timedelta(days=88)
    VisitFactory(patient=patient, service=service("Neurotoxin"), starts_at=last, value=450)
    schedule = RecallSchedule.objects.get(patient=patient)
    _link, token = RecallLink.objects.issue(schedule)
    last_visit = schedule.last_visit.isoformat()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    mobile.goto(f"{live_server.url}/r/{token}/")
    expect(mobile.get_by_role("heading", name="Hi Jordan")).to_be_visible()
    expect(mobile.get_by_test_id("due-for")).to_contain_text("next Neurotoxin appointment")  # on the page only
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    mobile.get_by_label("Tuesday").check()
    mobile.get_by_label("Afternoon").check()
    mobile.get_by_label("Anything we should know?").fill("After school pickup please")
    mobile.get_by_role("button", name="Send my request").click()
    expect(mobile.get_by_role("status")).to_contain_text("we've got it")
    phone.close()

    page = login(alice)
    page.goto(live_server.url + "/inbox/")
    item = page.locator(".queue-item", has_text="Jordan Rivera asked for a Neurotoxin appointment")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Rebooking")
    item.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Requested time")).to_be_visible()
    expect(page.locator("dd", has_text="Tuesday")).to_be_visible()
    expect(page.locator("dd", has_text="afternoon")).to_be_visible()
    history = page.locator("section", has=page.get_by_role("heading", name="Treatment history"))
    expect(history.get_by_role("row", name=f"{last_visit} Neurotoxin")).to_be_visible()
    expect(page.locator("dd", has_text=last_visit)).to_be_visible()  # the schedule's last visit
