"""Journeys at 390 px: a coordinator takes a call and opens the patient; a patient asks for a time, reopens
the link and sees the request; an owner uploads a large history file and watches it finish while the
inbox keeps answering (a real Celery worker imports it)."""

import re
import threading

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def log_in(page, base, username):
    from factories import PASSWORD

    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/inbox/$"))


@pytest.fixture
def catalog():
    """The service catalog comes from a migration; an earlier transactional test may have flushed it."""
    from factories import service

    from medspa.catalog import DEFAULT_CATALOG

    for entry in DEFAULT_CATALOG:
        service(entry.name)


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_coordinator_takes_a_call_on_a_phone_and_opens_the_patient(browser, live_server, alice, patient, catalog):
    page = browser.new_context(**PHONE).new_page()
    log_in(page, live_server.url, "alice")
    page.goto(live_server.url + "/calls/new/")
    fits(page)
    page.fill("#id_caller_name", "Jordan Rivera")
    page.fill("#id_phone", "(415) 555-0134")
    page.locator("#id_notes").press_sequentially("Do you need a deposit to book Botox?", delay=5)
    live = page.locator("#live")
    expect(live).to_contain_text("Interested in", timeout=20_000)  # the last keystroke's preview
    expect(live).to_contain_text("Asked about deposits")
    expect(live).not_to_contain_text("deposit_question")
    fits(page)
    page.get_by_role("button", name="Save call").click()
    expect(page.locator("h1")).to_contain_text("Call from Jordan Rivera")
    fits(page)
    page.get_by_role("link", name="Jordan Rivera", exact=True).click()
    expect(page.get_by_role("heading", name="Jordan Rivera")).to_be_visible()
    fits(page)
    inbox = page.locator("section", has=page.get_by_role("heading", name="Inbox items"))
    inbox.get_by_role("link").first.click()  # the call's inbox item, one tap away
    expect(page.get_by_role("link", name="Open the call summary")).to_be_visible()
    fits(page)

    # A caller nobody knows becomes a patient from the call page.
    page.goto(live_server.url + "/calls/new/")
    page.fill("#id_caller_name", "Ana Lee")
    page.fill("#id_phone", "(415) 555-0177")
    page.fill("#id_notes", "Can I book a HydraFacial next week?")
    page.get_by_role("button", name="Save call").click()
    page.get_by_role("link", name="Add as a patient").click()
    expect(page.locator("#id_first_name")).to_have_value("Ana")
    fits(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Ana Lee")).to_be_visible()
    expect(page.locator("section", has=page.get_by_role("heading", name="Inbox items"))).to_contain_text(
        "HydraFacial")


def test_patient_asks_for_a_time_reopens_the_link_and_sees_the_request(browser, live_server, patient):
    from django.utils import timezone
    from factories import VisitFactory

    from medspa.models import Handoff
    from recall.models import RecallLink, RecallSchedule

    VisitFactory(patient=patient, starts_at=timezone.now() - timezone.timedelta(days=95))
    _link, token = RecallLink.objects.issue(RecallSchedule.objects.get(patient=patient))
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{live_server.url}/r/{token}/")
    expect(page.get_by_test_id("due-for")).to_contain_text("next Neurotoxin appointment")
    expect(page.get_by_test_id("due-for")).to_contain_text("about 3 months ago")
    fits(page)
    page.get_by_label("Tuesday").check()
    page.get_by_label("Afternoon").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("status")).to_contain_text("we've got it")

    page.goto(f"{live_server.url}/r/{token}/")  # the patient opens the text again later
    earlier = page.get_by_test_id("earlier-request")
    expect(earlier).to_contain_text("Tuesday · afternoon")
    expect(page.get_by_role("button", name="Send my request")).to_have_count(0)
    fits(page)
    earlier.get_by_role("link", name="Change my request").click()
    expect(page.get_by_label("Tuesday")).to_be_checked()
    page.get_by_label("Tuesday").uncheck()
    page.get_by_label("Thursday").check()
    page.get_by_role("button", name="Update my request").click()
    expect(page.get_by_role("status")).to_contain_text("updated your request")
    assert Handoff.objects.count() == 1
    assert Handoff.objects.get().context["request"]["days"] == ["Thursday"]


def test_owner_uploads_a_large_history_and_watches_it_finish_while_the_inbox_answers(
        browser, live_server, olivia, westside, tmp_path, monkeypatch, catalog):
    """A 9.9 MB export (the limit is 10 MB) with blank lines, quoted line breaks, a Latin-1 byte, year-1 dates
    and absurd amounts, watched on a phone and on a desktop while a real Celery worker imports it."""
    from celery.contrib.testing.worker import start_worker
    from history_csv import messy_history_csv

    from medspa.celery import app
    from medspa.models import Handoff, Visit
    from recall import importer
    from recall.models import ImportJob

    # Hold the worker before its third chunk until the inbox has been used, so "while importing" is certain.
    gate, chunks, write = threading.Event(), [], importer._write

    def held_write(*args, **kwargs):
        chunks.append(1)
        if len(chunks) == 3:
            gate.wait(300)
        return write(*args, **kwargs)

    monkeypatch.setattr(importer, "_write", held_write)
    data, rows, bad = messy_history_csv(9_900_000)
    assert 9_800_000 < len(data) < 10 * 1024 * 1024
    upload = tmp_path / "history.csv"
    upload.write_bytes(data)
    Handoff.objects.create(location=westside, route="booking", source="call", title="Wants a HydraFacial Friday")

    app.control.purge()  # nothing left over from earlier tests in this worker's queue
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=60):
        context = browser.new_context(**PHONE)
        page = context.new_page()
        log_in(page, live_server.url, "olivia")
        page.goto(live_server.url + "/recall/import/")
        fits(page)
        page.set_input_files("input[type=file]", str(upload))
        page.get_by_role("button", name="Import").click()
        expect(page).to_have_url(re.compile(r"/recall/import/\d+/$"))  # the upload answered at once
        expect(page.get_by_role("status")).to_have_text("Importing", timeout=60_000)
        progress = page.locator("[data-count=visits_imported]")
        expect(progress).not_to_have_text("0", timeout=300_000)  # running counts, refreshed by htmx
        seen_midway = int(progress.inner_text())
        percent = int(page.locator("progress").get_attribute("value"))

        desktop = browser.new_context(viewport={"width": 1280, "height": 800})
        watcher = desktop.new_page()  # the same owner watches from the office computer too
        log_in(watcher, live_server.url, "olivia")  # the inbox answers while the import runs
        expect(watcher.locator(".queue-item", has_text="Wants a HydraFacial Friday")).to_be_visible()
        watcher.goto(page.url)
        expect(watcher.get_by_role("status")).to_have_text("Importing")
        inbox = context.new_page()  # meanwhile, the front desk keeps working on the phone
        inbox.goto(live_server.url + "/inbox/")
        expect(inbox.locator(".queue-item", has_text="Wants a HydraFacial Friday")).to_be_visible()
        assert ImportJob.objects.get().status == "running"  # still importing after both inbox pages answered
        inbox.close()
        gate.set()
        expect(page.get_by_role("status")).to_have_text("Finished", timeout=1_200_000)
        expect(watcher.get_by_role("status")).to_have_text("Finished", timeout=60_000)
        fits(page)
    assert 0 < percent < 100 and 0 < seen_midway < Visit.objects.count() == rows - len(bad)
    for viewer in (page, watcher):
        expect(viewer.locator("progress")).to_have_attribute("value", "100")
        expect(viewer.locator("[data-count=rejected]")).to_have_text(str(len(bad)))
        expect(viewer.locator("[data-count=visits_imported]")).to_have_text(str(rows - len(bad)))
    # The report lists the bad rows at the lines an editor shows, blank lines and line breaks counted.
    first_page = list(bad.items())[:200]
    cells = page.locator("#rejected-rows tbody tr td:first-child")
    expect(cells).to_have_text([str(line) for line, _ in first_page])
    reasons = page.locator("#rejected-rows tbody tr td:last-child").all_inner_texts()
    assert all(fragment in reason for (_, fragment), reason in zip(first_page, reasons, strict=True))
    assert {fragment for _, fragment in first_page} == {"more than a visit can cost", "is before 1900", "not UTF-8"}
    desktop.close()
    context.close()
