"""Every main page at phone width (390 px) and desktop: no sideways scrolling, no console errors."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def main_pages():
    """The pages a clinic uses every day, with real demo records behind the detail pages."""
    from calls.models import Call
    from medspa.models import Handoff, Patient
    from members.models import Membership, MembershipPlan
    from recall.models import ImportJob

    patient = Patient.objects.filter(visits__isnull=False, recall_schedules__isnull=False).first()
    call = Call.objects.filter(route="staff_review").exclude(handoff=None).first() or Call.objects.first()
    job = ImportJob.objects.first()
    return [
        "/inbox/", f"/inbox/{Handoff.objects.exclude(context__touch=None).first().pk}/",
        f"/inbox/{Handoff.objects.filter(source='call').first().pk}/",
        "/patients/", f"/patients/{patient.pk}/", "/patients/new/",
        "/calls/", "/calls/new/", f"/calls/{call.pk}/", f"/calls/{call.pk}/patient/", "/events/",
        "/calls/plan/", "/calls/plan/test/",
        "/recall/", "/recall/import/", f"/recall/import/{job.pk}/",
        "/members/", f"/members/{Membership.objects.first().pk}/", "/members/plans/",
        f"/members/plans/{MembershipPlan.objects.first().pk}/",
        "/dashboard/", "/dashboard/recall/", "/dashboard/members/", "/dashboard/roi/",
    ]


# The innermost elements that stick out past the right edge, to name in a failure.
WIDEST = """width => {
  const clipped = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  const out = e => e.getBoundingClientRect().right > width + 1
    || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible';
  return [...document.querySelectorAll('body *')].filter(e => out(e) && !clipped(e)
      && ![...e.children].some(c => out(c) && !clipped(c)))
    .slice(0, 4).map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')} `
      + `${Math.round(e.getBoundingClientRect().right)}px "${(e.textContent || '').trim().slice(0, 30)}"`);
}"""


def visit_all(page, base, paths, width):
    problems = []
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"{msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    for path in paths:
        errors.clear()
        response = page.goto(base + path)
        page.wait_for_load_state("networkidle")
        if response.status >= 400:
            problems.append(f"{path}: HTTP {response.status}")
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            culprits = page.evaluate(WIDEST, width)
            problems.append(f"{path}: {wide} px wide at {width} px ({'; '.join(culprits)})")
        problems.extend(f"{path}: {e}" for e in errors)
    return problems


def test_no_main_page_scrolls_sideways_on_a_phone_or_logs_a_console_error(browser, live_server, settings):
    from factories import PASSWORD, service

    from medspa.catalog import DEFAULT_CATALOG
    from medspa.models import User
    from recall.models import ImportJob

    for entry in DEFAULT_CATALOG:  # an earlier transactional test may have flushed the migrated catalog
        service(entry.name)
    call_command("seed_demo", "--patients", "120", "--seed", "3", stdout=io.StringIO())
    owner = User.objects.get(username="owner")
    owner.set_password(PASSWORD)
    owner.save()
    ImportJob.objects.create(created_by=owner, file_name="history.csv", status="done", location_ids=[],
                             counts={"rows_read": 3, "rejected": 1},
                             report={"rejected": [{"line": 4, "reason": "unknown service “Thread lift”",
                                                   "patient_id": "P-4", "service": "Thread lift"}]})
    paths = main_pages()
    for size in (PHONE, DESKTOP):
        context = browser.new_context(viewport=size, is_mobile=size is PHONE, has_touch=size is PHONE)
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        page.fill("input[name=username]", "owner")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/inbox/$"))
        problems = visit_all(page, live_server.url, paths, size["width"])
        if size is PHONE:
            page.screenshot(path="test-artifacts/phone-last-page.png", full_page=True)
        context.close()
        assert not problems, "\n".join(problems)


def test_styled_403_and_patient_link_fit_a_phone(browser, live_server, westside, patient):
    from factories import PASSWORD, UserFactory, VisitFactory

    from recall.models import RecallLink, RecallSchedule

    UserFactory(username="maya", role="provider", locations=[westside])
    VisitFactory(patient=patient)
    _link, token = RecallLink.objects.issue(RecallSchedule.objects.get(patient=patient))
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    assert not visit_all(page, live_server.url, [f"/r/{token}/"], 390)
    stop = page.get_by_role("button", name="Stop all texts from Westside Aesthetics")
    colour, background = stop.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
    assert colour != background  # readable: not red on red
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "maya")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server.url + "/calls/")
    expect(page.get_by_role("link", name="Take a call")).to_have_count(0)
    page.goto(live_server.url + "/calls/new/")
    expect(page.get_by_role("heading", name="This page isn't part of your role")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Back to the front desk").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    context.close()
