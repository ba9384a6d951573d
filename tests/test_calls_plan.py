"""Call plan: owner-edited, versioned, immutable versions; summaries record the version; test page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from factories import LocationFactory, UserFactory
from rest_framework.authtoken.models import Token

from calls.models import ApprovedAnswer, CallPlan, Topic
from medspa.models import AuditLog, Handoff

pytestmark = pytest.mark.django_db


def plan_post(current, **changes):
    data = {t.value: current.get(t.value, "") for t in Topic}
    data.update(changes)
    return data


def test_new_location_gets_clinic_style_default_wording(westside):
    version = CallPlan.current_for(westside)
    assert version.number == 1
    emergency = version.wording()["emergency"]
    assert "call 911 now" in emergency and "clinical team" in emergency
    assert "normal" not in emergency.lower() and "don't worry" not in emergency.lower()
    assert "deposits" not in version.wording()  # policies need the owner's own wording


def test_owner_publishes_new_version_and_old_one_is_unchanged(owner_client, westside, olivia):
    v1 = CallPlan.current_for(westside)
    page = owner_client.get(reverse("calls:plan_location", args=[westside.slug]))
    assert page.status_code == 200 and "Publish new version" in page.content.decode()
    data = plan_post(v1.wording(), deposits="A $100 deposit holds your spot and is applied to your treatment.",
                     note="Deposit policy")
    response = owner_client.post(reverse("calls:plan_location", args=[westside.slug]), data)
    assert response.status_code == 302
    v2 = CallPlan.current_for(westside)
    assert v2.number == 2 and v2.created_by == olivia and v2.note == "Deposit policy"
    assert v2.wording()["deposits"].startswith("A $100 deposit")
    assert "deposits" not in {a.topic for a in v1.answers.all()}
    assert AuditLog.objects.filter(action="call_plan.published", actor=olivia).exists()
    page = owner_client.get(reverse("calls:plan_location", args=[westside.slug])).content.decode()
    assert "v2" in page and "v1" in page and "Deposit policy" in page


def test_unchanged_form_publishes_nothing(owner_client, westside):
    v1 = CallPlan.current_for(westside)
    owner_client.post(reverse("calls:plan_location", args=[westside.slug]), plan_post(v1.wording()))
    assert CallPlan.current_for(westside).number == 1


def test_emergency_script_is_required_to_publish(owner_client, westside):
    v1 = CallPlan.current_for(westside)
    response = owner_client.post(reverse("calls:plan_location", args=[westside.slug]),
                                 plan_post(v1.wording(), emergency="  "))
    assert response.status_code == 400
    assert "emergency script is required" in response.content.decode()
    assert CallPlan.current_for(westside).number == 1


def test_unknown_placeholder_is_a_form_error(owner_client, westside):
    v1 = CallPlan.current_for(westside)
    response = owner_client.post(reverse("calls:plan_location", args=[westside.slug]),
                                 plan_post(v1.wording(), closing="Bye {name}"))
    assert response.status_code == 400 and "Unknown placeholder {name}" in response.content.decode()


def test_published_wording_is_immutable(westside):
    answer = CallPlan.current_for(westside).answers.first()
    answer.wording = "changed"
    with pytest.raises(ValidationError):
        answer.save()
    assert ApprovedAnswer.objects.get(pk=answer.pk).wording != "changed"


def test_coordinator_cannot_edit_the_plan(alice_client, westside):
    assert alice_client.get(reverse("calls:plan")).status_code == 403
    assert alice_client.get(reverse("calls:plan_test")).status_code == 403


def test_owner_cannot_see_another_owners_location(client, westside):
    other = LocationFactory(name="Elsewhere Spa")
    client.force_login(UserFactory(username="own2", role="owner", locations=[other]))
    assert client.get(reverse("calls:plan_location", args=[westside.slug])).status_code == 404


def test_summaries_record_the_version_used(client, alice, westside, olivia):
    plan = CallPlan.current_for(westside).plan
    wording = {**CallPlan.current_for(westside).wording(), "member_credits": "Credits roll over for 12 months."}
    plan.publish(wording, user=olivia)
    token = Token.objects.create(user=alice).key
    data = {"agent_call_id": "v-1", "location": westside.slug, "started_at": "2026-03-03T18:00:00Z",
            "turns": [{"speaker": "caller", "text": "I'm a member, do my credits roll over?"}]}
    created = client.post("/api/v1/calls/", data, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Token {token}").json()
    said = {"topic": "member_credits", "version": 2, "wording": "Credits roll over for 12 months."}
    assert said in created["summary"]["answered"] and created["plan_version"] == 2
    plan.publish({**wording, "member_credits": "Credits roll over for 6 months."}, user=olivia)
    # The stored call keeps what was actually said, under the version that said it.
    again = client.get(f"/api/v1/calls/{created['id']}/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert said in again["summary"]["answered"]
    assert "[member_credits v2] Credits roll over for 12 months." in Handoff.objects.get().summary


def test_plan_test_page_shows_route_reasons_and_wording(owner_client, westside, olivia):
    plan = CallPlan.current_for(westside).plan
    plan.publish({**CallPlan.current_for(westside).wording(),
                  "events": "Our VIP night includes a glass of champagne and event pricing for guests who RSVP."},
                 user=olivia)
    page = owner_client.get(reverse("calls:plan_test"))
    assert page.status_code == 200 and "hx-post" in page.content.decode()
    partial = owner_client.post(reverse("calls:plan_test"), {"location": westside.pk,
                                "sentence": "Can I book Botox for the VIP night?"}, HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert "<html" not in html and "Booking" in html
    assert "Our VIP night includes a glass of champagne" in html and "events · v2" in html
    unsafe = owner_client.post(reverse("calls:plan_test"), {"location": westside.pk,
                               "sentence": "Since my filler yesterday my lip looks white and hurts"},
                               HTTP_HX_REQUEST="true").content.decode()
    assert "Safety escalation" in unsafe and "call 911 now" in unsafe and "white" in unsafe


def test_owner_restores_an_earlier_version_as_a_new_one(owner_client, westside):
    url = reverse("calls:plan_location", args=[westside.slug])
    v1 = CallPlan.current_for(westside)
    owner_client.post(url, plan_post(v1.wording(), deposits="A $100 deposit holds your spot."))
    owner_client.post(url, plan_post(CallPlan.current_for(westside).wording(), deposits="A $50 deposit."))
    assert CallPlan.current_for(westside).number == 3

    page = owner_client.get(url, {"from": 2}).content.decode()
    assert "A $100 deposit holds your spot." in page and "Restored version 2" in page
    assert owner_client.get(url, {"from": 99}).status_code == 404
    form = {t.value: CallPlan.current_for(westside).plan.versions.get(number=2).wording().get(t.value, "")
            for t in Topic}
    assert owner_client.post(url, {**form, "note": "Restored version 2"}).status_code == 302
    v4 = CallPlan.current_for(westside)
    assert (v4.number, v4.note) == (4, "Restored version 2")
    assert v4.wording()["deposits"] == "A $100 deposit holds your spot."
    assert CallPlan.current_for(westside).plan.versions.get(number=3).wording()["deposits"] == "A $50 deposit."
