"""Member calls: a balance is said on the phone only to a caller verified by number on file + date of birth;
staff always see the member's real figures (summary, handoff, intake panel); exceptions go to staff_review."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from conftest import VOICE_LINE
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from factories import VisitFactory
from members_factories import BundleFactory, DepositFactory, PlanFactory, start_membership

from calls.models import Call, CallPlan
from calls.tasks import finalize_call
from medspa.models import Handoff
from members import ledger

pytestmark = pytest.mark.django_db

SID = "CA" + "b" * 32
ON_FILE = "+14155550134"  # the `patient` fixture's number
STRANGER = "+14155550777"
LINE = VOICE_LINE  # the `clinic` fixture (conftest) answers on it

DOB = dt.date(1990, 4, 12)
MEMBER_WORDING = {
    "member_credits": "You have {balance} in credits on your {plan} membership.",
    "renewal": "Your membership renews on {renewal_date}. To stop the next charge, cancel by {cancel_by}.",
    "bundles": "You have {sessions_left} left.",
    "deposits": "A $100 deposit holds your spot and is applied to your treatment.",
}


@pytest.fixture
def member(patient, alice):
    """Jordan: Glow Club member with $100 granted and $35 spent ($65.00 left), DOB on file."""
    patient.date_of_birth = DOB
    patient.save()
    membership = start_membership(patient, PlanFactory(), started_on=timezone.localdate() - dt.timedelta(days=10))
    visit = VisitFactory(patient=patient, starts_at=timezone.now() - dt.timedelta(days=2))
    ledger.redeem(membership, "35", visit, by=alice)
    return membership


def publish(location, **wording):
    current = CallPlan.current_for(location)
    return current.plan.publish({**current.wording(), **wording}, user=None, note="test")


@pytest.fixture
def plan(clinic):
    return publish(clinic, **MEMBER_WORDING)


def parse(response):
    assert response.status_code == 200, response.content
    return ET.fromstring(response.content)  # noqa: S314 (our own TwiML)


def said(root) -> list[str]:
    return [el.text for el in root.iter("Say")]


def call_in(post, from_number=ON_FILE, sid=SID):
    return parse(post("/twilio/voice/incoming/", {"CallSid": sid, "From": from_number, "To": LINE}))


def say(post, seq, speech, sid=SID):
    return parse(post(f"/twilio/voice/gather/?seq={seq}", {"CallSid": sid, "SpeechResult": speech}))


def test_verified_member_hears_balance_from_the_ledger(twilio_signed_post, plan, member):
    call_in(twilio_signed_post)
    root = say(twilio_signed_post, 1, "How many credits do I have?")
    assert said(root) == ["For your security, please say your date of birth."]
    assert root.find("Gather").get("action") == "/twilio/voice/gather/?seq=2"

    root = say(twilio_signed_post, 2, "April 12th, 1990.")
    lines = said(root)
    assert "You have $65.00 in credits on your Glow Club membership." in lines
    assert lines[-1] == "What is the best time for us to call you back?"

    call = Call.objects.get(external_id=SID)
    assert call.fields["member_verified"] is True
    assert call.fields["member_figures_stated"] == {"balance": "$65.00", "plan": "Glow Club"}
    assert "1990" not in " ".join(call.turns.values_list("text", flat=True))  # the DOB is not kept
    assert {"topic": "member_credits", "version": plan.number, "figures": {"balance": "$65.00", "plan": "Glow Club"},
            "wording": "You have $65.00 in credits on your Glow Club membership."} in call.answers_given

    root = say(twilio_signed_post, 3, "After 5 pm")
    assert root.find("Hangup") is not None
    finalize_call(call.pk)
    handoff = Handoff.objects.get()
    assert handoff.route == "member_support"
    assert "Balance stated to verified caller: $65.00" in handoff.summary
    assert handoff.context["member"]["balance"] == "$65.00"


def test_unverified_number_is_told_a_coordinator_will_call_back_and_handoff_opens(twilio_signed_post, plan, member):
    call_in(twilio_signed_post, from_number=STRANGER)
    root = say(twilio_signed_post, 1, "How many credits do I have?")
    lines = said(root)
    assert "A coordinator will call you back about your account." in lines
    assert not any("$" in line for line in lines) and "date of birth" not in " ".join(lines)

    handoff = Handoff.objects.get()  # opened now, while the call goes on
    call = Call.objects.get(external_id=SID)
    assert (handoff.route, handoff.source, call.handoff) == ("member_support", "call", handoff)
    assert call.fields["member_verified"] is False and call.fields["member_check"] == "number not on file"
    assert "Not verified: no balance given" in handoff.summary
    assert "member" not in handoff.context  # the caller is not on file: no figures to show

    say(twilio_signed_post, 2, "Sam Doe")
    say(twilio_signed_post, 3, "Tomorrow morning")
    finalize_call(call.pk)
    assert Handoff.objects.count() == 1 and Handoff.objects.get().route == "member_support"


def test_wrong_date_of_birth_twice_states_nothing(twilio_signed_post, plan, member):
    call_in(twilio_signed_post)
    say(twilio_signed_post, 1, "How many credits do I have?")
    root = say(twilio_signed_post, 2, "January 1st, 1980")
    assert said(root) == ["Sorry, I could not match that. Please say your date of birth again, for example "
                          "April 12, 1990."]
    root = say(twilio_signed_post, 3, "March 3 1985")
    lines = said(root)
    assert "A coordinator will call you back about your account." in lines
    assert not any("65" in line for line in lines)
    call = Call.objects.get(external_id=SID)
    assert call.fields["member_verified"] is False and call.fields["member_check"] == "date of birth did not match"
    assert "member_figures_stated" not in call.fields
    handoff = Handoff.objects.get()
    assert handoff.route == "member_support"
    assert "Not verified: no balance given (date of birth did not match)" in handoff.summary
    # Staff are logged in: they see the figures even though the caller did not hear them.
    assert handoff.context["member"]["balance"] == "$65.00"


def test_one_retry_then_correct_date_of_birth_verifies(twilio_signed_post, plan, member):
    call_in(twilio_signed_post)
    say(twilio_signed_post, 1, "When does my membership renew?")
    say(twilio_signed_post, 2, "umm")
    root = say(twilio_signed_post, 3, "04/12/1990")
    renewal = member.next_renewal_on
    deadline = member.cancellation_deadline(member.local_today())
    assert (f"Your membership renews on {renewal:%B %-d, %Y}. To stop the next charge, cancel by "
            f"{deadline:%B %-d, %Y}.") in said(root)


def test_caller_with_no_date_of_birth_on_file_is_not_asked_and_not_told(twilio_signed_post, plan, member, patient):
    patient.date_of_birth = None
    patient.save()
    call_in(twilio_signed_post)
    lines = said(say(twilio_signed_post, 1, "How many credits do I have?"))
    assert "A coordinator will call you back about your account." in lines
    assert not any("date of birth" in line or "$" in line for line in lines)
    assert Call.objects.get().fields["member_check"] == "no date of birth on file"


@pytest.mark.parametrize("speech, label", [
    ("I want a refund on my membership credits", "Refund request: staff decide"),
    ("Can I pause my membership for two months?", "Membership pause or freeze request: staff decide"),
    ("Can I transfer my credits to my sister?", "Staff-only question: “transfer”"),
])
def test_exceptions_go_to_staff_review_and_are_never_answered(twilio_signed_post, plan, member, speech, label):
    call_in(twilio_signed_post)
    lines = said(say(twilio_signed_post, 1, speech))
    assert not any("date of birth" in line or "$65" in line for line in lines)
    assert "I have noted your question for our team, and they will answer it when they call you back." in lines
    call = Call.objects.get()
    say(twilio_signed_post, 2, "After 5 pm")
    finalize_call(call.pk)
    call.refresh_from_db()
    assert call.route == "staff_review" and label in call.not_promised
    assert "member_verified" not in call.fields
    assert Handoff.objects.get().route == "staff_review"


def test_verified_caller_without_approved_figure_wording_is_called_back(twilio_signed_post, clinic, member):
    publish(clinic, member_credits="")  # the plan has no approved wording for credits
    call_in(twilio_signed_post)
    say(twilio_signed_post, 1, "How many credits do I have?")
    lines = said(say(twilio_signed_post, 2, "April 12 1990"))
    assert "I have noted your question for our team, and they will answer it when they call you back." in lines
    assert not any("$" in line for line in lines)
    call = Call.objects.get()
    assert call.fields["member_verified"] is True and "member_figures_stated" not in call.fields
    say(twilio_signed_post, 3, "After 5 pm")
    finalize_call(call.pk)
    assert "Verified caller: no balance given" in Handoff.objects.get().summary


def test_bundle_question_states_sessions_left_to_verified_caller(twilio_signed_post, plan, member, patient):
    BundleFactory(patient=patient, expires_on=dt.date(2099, 9, 1))
    call_in(twilio_signed_post)
    say(twilio_signed_post, 1, "How many sessions are left on my laser package?")
    lines = said(say(twilio_signed_post, 2, "April 12, 1990"))
    assert "You have 6 Laser hair removal sessions (use by September 1, 2099) left." in lines


def test_deposit_question_hears_the_approved_deposit_wording(twilio_signed_post, plan):
    call_in(twilio_signed_post, from_number=STRANGER)
    lines = said(say(twilio_signed_post, 1, "Do I need to pay a deposit for the laser special?"))
    assert MEMBER_WORDING["deposits"] in lines


def test_summary_and_call_page_show_member_figures(alice_client, clinic, member, patient):
    BundleFactory(patient=patient, expires_on=dt.date(2099, 9, 1))
    response = alice_client.post(reverse("calls:intake"), {
        "location": clinic.pk, "phone": "(415) 555-0134", "callback_window": "after 5",
        "notes": "Asking how many credits she has left",
    })
    call = Call.objects.get()
    assert response.status_code == 302
    member_figures = call.summary["member_figures"]
    deadline = member.cancellation_deadline(member.local_today()).isoformat()
    assert member_figures == {
        "plan": "Glow Club", "status": "Active", "balance": "$65.00",
        "renewal_date": member.next_renewal_on.isoformat(), "cancel_by": deadline,
        "bundles": "6 Laser hair removal sessions (use by September 1, 2099)",
    }
    handoff = Handoff.objects.get()
    assert handoff.context["member"] == member_figures
    assert "Member: Glow Club (Active) · balance $65.00" in handoff.summary
    assert "Bundles: 6 Laser hair removal sessions" in handoff.summary
    page = alice_client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert "Member figures (ledger and plan)" in page and "$65.00" in page and deadline in page
    assert call.summary["verification"] is None  # the coordinator path does its own check


def test_intake_panel_shows_member_figures_for_a_known_number(alice_client, clinic, plan, member):
    html = alice_client.post(reverse("calls:intake_preview"), {
        "location": clinic.pk, "phone": "(415) 555-0134", "notes": "how many credits do I have"},
        HTTP_HX_REQUEST="true").content.decode()
    assert "Member figures for staff" in html and "$65.00" in html and "Glow Club" in html
    # Wording that says a figure is not offered for reading aloud: the coordinator checks the caller first.
    assert "You have $65.00" not in html and "caller not verified" in html
    stranger = alice_client.post(reverse("calls:intake_preview"), {
        "location": clinic.pk, "phone": "(415) 555-0777", "notes": "how many credits do I have"},
        HTTP_HX_REQUEST="true").content.decode()
    assert "Member figures" not in stranger and "$65.00" not in stranger


def test_deposit_rows_show_what_the_patient_was_told(alice_client, clinic, patient):
    before = DepositFactory(patient=patient, created_at=timezone.now() - dt.timedelta(days=3))
    version = publish(clinic, deposits=MEMBER_WORDING["deposits"])
    DepositFactory(patient=patient, amount=50)
    page = alice_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert f"What the patient was told (call plan v{version.number}):" in page
    assert f"“{MEMBER_WORDING['deposits']}”" in page
    assert before.created_at < version.created_at
    assert "no approved deposit wording was in the call plan then" in page


def test_member_placeholders_only_in_member_topics(clinic):
    assert publish(clinic, member_credits="You have {balance}.").wording()["member_credits"] == "You have {balance}."
    with pytest.raises(ValidationError, match=r"Unknown placeholder \{balance\}"):
        publish(clinic, greeting="Hello, you have {balance}.")
