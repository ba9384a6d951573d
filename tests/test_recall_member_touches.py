"""`recall.tasks.member_touchpoints`: member touchpoints written into the recall outbox and sent by the
real dispatcher to the fake Twilio (once, never at night, never to people who cannot be texted)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from factories import PatientFactory, VisitFactory
from members_factories import BundleFactory, start_membership
from recall_support import la, run_dispatcher, treated

from medspa.models import Handoff, Service
from members import ledger
from members.bundles import redeem_session
from members.figures import member_context
from recall import metrics
from recall.models import Attribution, InboundMessage, MemberTouchTemplate, RecallLink, Touch
from recall.sweep import sweep
from recall.tasks import member_touchpoints, process_inbound

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sender")]
MORNING = la(2026, 3, 10, 10, 30)  # after the touchpoints' 10:00 local send time
LINK = re.compile(r"/r/([\w-]+)/")



def renewal_member(patient):
    """A member renewing on Mar 17 who has spent this cycle's credits (so only the renewal is owed)."""
    with time_machine.travel(la(2026, 2, 17, 12, 0), tick=False):
        membership = start_membership(patient, started_on=dt.date(2026, 2, 17))
        ledger.redeem(membership, 100, VisitFactory(patient=patient, starts_at=la(2026, 2, 17, 11, 0)), by=None)
    return membership


def expiring_bundle(patient, **kwargs):
    return BundleFactory(patient=patient, purchased_on=dt.date(2025, 4, 1), expires_on=dt.date(2026, 4, 1), **kwargs)


def text_part(body: str) -> str:
    """The message without its link (the random token may contain digits)."""
    return LINK.sub("", body)


def test_running_twice_writes_and_sends_once(patient, fake_twilio):
    membership = renewal_member(patient)
    with time_machine.travel(MORNING, tick=False):
        member_touchpoints()
        member_touchpoints()
        run_dispatcher(times=2)
    touch = Touch.objects.get()
    assert (touch.source, touch.kind, touch.schedule, touch.patient) == ("member", "renewal_reminder", None, patient)
    assert touch.idempotency_key == f"renewal_reminder:m{membership.pk}:2026-03-17"
    assert touch.status == "sent"
    [message] = fake_twilio.messages
    assert message["to"] == "+14155550134" and message["body"] == touch.body
    assert message["status_callback"].endswith("/twilio/sms/status/")
    # The next day the same renewal is still in its window: nothing new.
    with time_machine.travel(MORNING + dt.timedelta(days=1), tick=False):
        member_touchpoints()
        run_dispatcher()
    assert Touch.objects.count() == 1 and len(fake_twilio.messages) == 1


def test_body_names_no_treatment_and_no_amount(patient, fake_twilio):
    start_membership(patient, started_on=dt.date(2026, 2, 20))  # $100 of credit expiring Mar 20
    other = PatientFactory(first_name="Bea", location=patient.location)
    expiring_bundle(other)  # six laser hair removal sessions, $1,500
    with time_machine.travel(MORNING, tick=False):
        member_touchpoints()
        run_dispatcher()
    assert {t.kind for t in Touch.objects.all()} == {"credits_expiring", "bundle_expiring"}
    assert len(fake_twilio.messages) == 2
    names = [n.lower() for s in Service.objects.all() for n in [s.name, *s.aliases]]
    for message in fake_twilio.messages:
        text = text_part(message["body"])
        assert "$" not in text and not re.search(r"\d", text), text
        assert not [n for n in names if n in text.lower()], text
        assert "Westside Aesthetics" in text
    assert any("Bea" in m["body"] for m in fake_twilio.messages)


def test_nothing_for_opted_out_or_consentless_patients(westside, fake_twilio):
    opted_out = PatientFactory(location=westside, sms_opted_out_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    no_consent = PatientFactory(location=westside, sms_consent=False, sms_consent_source="", sms_consent_at=None)
    invalid = PatientFactory(location=westside, phone_invalid_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    for person in (opted_out, no_consent, invalid):
        expiring_bundle(person)
    with time_machine.travel(MORNING, tick=False):
        member_touchpoints()
        run_dispatcher()
    assert Touch.objects.count() == 0 and fake_twilio.messages == []


def test_quiet_hours_nothing_at_night_sent_next_morning(patient, fake_twilio):
    expiring_bundle(patient)
    with time_machine.travel(la(2026, 3, 10, 22, 0), tick=False):
        member_touchpoints()
        sweep()
        run_dispatcher()
    assert Touch.objects.count() == 0 and fake_twilio.messages == []
    with time_machine.travel(la(2026, 3, 11, 7, 30), tick=False):  # still before 08:00
        member_touchpoints()
        run_dispatcher()
    assert fake_twilio.messages == []
    with time_machine.travel(la(2026, 3, 11, 10, 5), tick=False):
        member_touchpoints()
        run_dispatcher()
    assert [t.kind for t in Touch.objects.all()] == ["bundle_expiring"]
    assert len(fake_twilio.messages) == 1


def test_written_before_21_and_dispatched_after_is_held_until_morning(patient, fake_twilio):
    expiring_bundle(patient)
    with time_machine.travel(la(2026, 3, 10, 20, 58), tick=False):
        member_touchpoints()
    with time_machine.travel(la(2026, 3, 10, 21, 3), tick=False):  # the worker picks it up after 21:00
        run_dispatcher()
    touch = Touch.objects.get()
    assert touch.status == "queued" and touch.not_before == la(2026, 3, 11, 8, 0)
    assert fake_twilio.messages == []
    with time_machine.travel(la(2026, 3, 11, 8, 5), tick=False):
        result = sweep(enqueue=False)
        assert touch.pk in result.requeued
        run_dispatcher()
    assert len(fake_twilio.messages) == 1


def test_one_member_text_per_patient_at_a_time(patient, fake_twilio):
    start_membership(patient, started_on=dt.date(2026, 2, 20))  # credits expiring
    expiring_bundle(patient)  # and a bundle expiring
    with time_machine.travel(MORNING, tick=False):
        member_touchpoints()
    assert [t.kind for t in Touch.objects.all()] == ["credits_expiring"]
    with time_machine.travel(MORNING + dt.timedelta(days=2, hours=1), tick=False):
        member_touchpoints()
    assert sorted(Touch.objects.values_list("kind", flat=True)) == ["bundle_expiring", "credits_expiring"]


def test_dispatcher_cancels_a_touch_no_longer_owed(patient, fake_twilio):
    bundle = expiring_bundle(patient, sessions_purchased=1)
    with time_machine.travel(MORNING, tick=False):
        member_touchpoints()

        redeem_session(bundle, VisitFactory(patient=patient, service=bundle.service, starts_at=MORNING), by=None)
        run_dispatcher()
    touch = Touch.objects.get()
    assert touch.status == "cancelled" and "No bundle sessions left" in touch.last_error
    assert fake_twilio.messages == []


def test_visit_after_a_bundle_touch_is_recovered(patient, fake_twilio, westside):
    bundle = expiring_bundle(patient)
    with time_machine.travel(MORNING, tick=False):
        member_touchpoints()
        run_dispatcher()
    touch = Touch.objects.get()
    with time_machine.travel(MORNING + dt.timedelta(days=3), tick=False):
        VisitFactory(patient=patient, service=Service.objects.get(name="HydraFacial"), status="booked",
                     starts_at=MORNING + dt.timedelta(days=10), value=Decimal("250"))  # not the bundle's service
        visit = VisitFactory(patient=patient, service=bundle.service, status="booked",
                             starts_at=MORNING + dt.timedelta(days=12), value=Decimal("300"))
    attribution = Attribution.objects.get()
    assert (attribution.visit, attribution.touch, attribution.kind, attribution.source) == (
        visit, touch, "bundle_expiring", "member")
    assert attribution.value == Decimal("300")
    window = (MORNING - dt.timedelta(days=1), MORNING + dt.timedelta(days=30))
    by_source = metrics.recovered_by_source([westside.pk], *window)
    assert by_source["member"] == {"visits": 1, "revenue": Decimal("300")}
    assert by_source["recall"]["visits"] == 0
    assert metrics.recovered([westside.pk], *window) == {}  # the recall page counts recall only
    rows = {r.kind: r for r in metrics.member_results([westside.pk], *window)}
    assert (rows["bundle_expiring"].sent, rows["bundle_expiring"].recovered) == (1, 1)
    assert rows["renewal_reminder"].sent == 0


def test_any_visit_after_a_renewal_touch_is_recovered(patient, fake_twilio):
    renewal_member(patient)
    with time_machine.travel(MORNING, tick=False):
        member_touchpoints()
        run_dispatcher()
    with time_machine.travel(MORNING + dt.timedelta(days=40), tick=False):  # outside the 30 days: not counted
        VisitFactory(patient=patient, service=Service.objects.get(name="Chemical peel"),
                     starts_at=MORNING + dt.timedelta(days=40))
    assert Attribution.objects.count() == 0
    with time_machine.travel(MORNING + dt.timedelta(days=5), tick=False):
        visit = VisitFactory(patient=patient, service=Service.objects.get(name="HydraFacial"),
                             starts_at=MORNING + dt.timedelta(days=5))
    assert Attribution.objects.get().visit == visit
    assert Attribution.objects.get().kind == "renewal_reminder"


def test_member_link_asks_for_a_slot_and_shows_no_figures(client, patient, fake_twilio):
    expiring_bundle(patient)
    with time_machine.travel(MORNING, tick=False):
        member_touchpoints()
        run_dispatcher()
        token = LINK.search(fake_twilio.messages[0]["body"]).group(1)
        page = client.get(f"/r/{token}/")
        html = page.content.decode()
        assert page.status_code == 200 and "Hi Jordan" in html and "Westside Aesthetics" in html
        assert "Laser" not in html and "$" not in html and "Remind me later" not in html
        response = client.post(f"/r/{token}/", {"action": "request", "days": ["tue"], "times": ["morning"]})
    assert response.status_code == 200
    handoff = Handoff.objects.get()
    assert (handoff.route, handoff.source, handoff.patient) == ("rebooking", "recall_link", patient)
    assert handoff.context["service"] == "Laser hair removal"
    assert handoff.context["touch"]["kind"] == "Bundle expiring"
    assert handoff.context["request"]["days"] == ["Tuesday"]
    assert RecallLink.objects.get().actions.get().handoff == handoff


def test_reply_to_a_member_text_reaches_the_inbox_with_the_touch(patient, fake_twilio):
    expiring_bundle(patient)
    with time_machine.travel(MORNING, tick=False):
        member_touchpoints()
        run_dispatcher()
        touch = Touch.objects.get()
        message = InboundMessage.objects.create(message_sid="SMreply1", from_number="+14155550134",
                                                to_number="+14155550100", body="Can I come in Thursday?")
        process_inbound(message.pk)
    handoff = Handoff.objects.get()
    assert handoff.patient == patient and handoff.context["touch"]["id"] == touch.pk
    assert handoff.context["service"] == "Laser hair removal"
    assert InboundMessage.objects.get().touch == touch


def test_a_text_reply_and_a_link_request_carry_the_member_figures_a_call_would(patient, client, fake_twilio):
    """One shape for every source: staff see the same figures whether the member called, texted or clicked."""
    expiring_bundle(patient)
    with time_machine.travel(MORNING, tick=False):
        member_touchpoints()
        run_dispatcher()
        token = LINK.search(fake_twilio.messages[0]["body"]).group(1)
        client.post(f"/r/{token}/", {"action": "request", "days": ["tue"], "times": ["morning"]})
        message = InboundMessage.objects.create(message_sid="SMreply2", from_number="+14155550134",
                                                to_number="+14155550100", body="Can I come in Thursday?")
        process_inbound(message.pk)
        figures = member_context(patient)
    link_item, reply_item = Handoff.objects.order_by("source")  # recall_link, sms
    assert (link_item.source, reply_item.source) == ("recall_link", "sms")
    assert figures["bundles"].startswith("6 Laser hair removal sessions")
    assert link_item.context["member"] == reply_item.context["member"] == figures


def test_owner_turns_a_kind_off_and_edits_wording(owner_client, patient, fake_twilio):
    template = MemberTouchTemplate.objects.get(kind="bundle_expiring")
    url = f"/settings/wording/{template.pk}/"
    refused = owner_client.post(url, {"body": "Hi {first_name}, $300 of Botox left! {link}", "is_active": "on"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "never state a balance" in html and "never name a treatment" in html
    assert owner_client.post(url, {"body": "Hi {first_name}, {clinic} here. Sessions left, use them: {link}"}
                             ).status_code == 302  # is_active unchecked: off
    expiring_bundle(patient)
    with time_machine.travel(MORNING, tick=False):
        member_touchpoints()
    assert [t.kind for t in Touch.objects.all()] == ["bundle_idle"]  # the next kind still goes


def test_a_recall_text_owed_but_not_yet_made_holds_the_member_text_back(patient, fake_twilio):
    """At most one text per patient at a time counts the recall text the sweep owes before the dispatcher has made
    it into a touch."""
    renewal_member(patient)
    with time_machine.travel(MORNING - dt.timedelta(days=85), tick=False):
        treated(patient, 0)  # Neurotoxin (90 days): the window is open at MORNING
    with time_machine.travel(MORNING, tick=False):
        assert len(sweep(enqueue=False).owed) == 1
        assert member_touchpoints() == 0
    assert not Touch.objects.filter(source="member").exists()
