"""Voice-agent intake API: token auth, location scope, idempotency, validation, never-downgrade safety."""

from datetime import datetime

import pytest
from factories import UserFactory
from rest_framework.authtoken.models import Token

from calls.models import Call, CallTurn, Event
from medspa.models import Handoff

pytestmark = pytest.mark.django_db

URL = "/api/v1/calls/"


@pytest.fixture
def agent(alice):
    return Token.objects.create(user=alice).key


def body(loc, **over):
    data = {
        "agent_call_id": "agent-123", "location": loc.slug, "from_number": "(415) 555-0134",
        "caller_name": "Jordan Rivera", "started_at": "2026-03-03T18:00:00Z", "ended_at": "2026-03-03T18:04:00Z",
        "turns": [
            {"speaker": "agent", "text": "Thanks for calling, how can I help?"},
            {"speaker": "caller", "text": "Can I book Botox for the VIP night?"},
            {"speaker": "caller", "text": "Mornings are best for a call back."},
        ],
        "fields": {"callback_window": "mornings"},
        "route": "booking",
    }
    data.update(over)
    return data


def post(client, token, data):
    return client.post(URL, data, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")


def test_creates_call_summary_and_handoff(client, agent, westside, patient):
    response = post(client, agent, body(westside))
    assert response.status_code == 201, response.content
    data = response.json()
    call = Call.objects.get(pk=data["id"])
    assert call.channel == "voice_agent" and call.external_id == "agent-123" and call.patient == patient
    assert call.from_number == "+14155550134" and call.turns.count() == 3
    assert data["route"] == "booking" and data["handoff_id"] == call.handoff_id
    assert data["summary"]["caller"]["callback_window"] == "mornings"
    assert data["plan_version"] == 1 and data["summary"]["completeness"]["score"] == call.completeness
    handoff = Handoff.objects.get()
    assert handoff.context["call_id"] == call.pk and handoff.caller_name == "Jordan Rivera"
    assert handoff.context["fields"]["callback_window"] == "mornings"
    assert client.get(f"{URL}{call.pk}/", HTTP_AUTHORIZATION=f"Token {agent}").json()["id"] == call.pk


def test_second_post_is_idempotent(client, agent, westside):
    first = post(client, agent, body(westside))
    second = post(client, agent, body(westside, turns=[{"speaker": "caller", "text": "different words"}]))
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Call.objects.count() == 1 and CallTurn.objects.count() == 3 and Handoff.objects.count() == 1


def test_agent_booking_with_safety_language_becomes_safety(client, agent, westside):
    turns = [{"speaker": "caller", "text": "I want to book more Botox"},
             {"speaker": "caller", "text": "Since my filler yesterday my lip looks white and hurts"}]
    data = post(client, agent, body(westside, turns=turns, route="booking")).json()
    assert data["route"] == "safety_escalation"
    handoff = Handoff.objects.get()
    assert handoff.route == "safety_escalation" and handoff.priority == 0
    assert data["summary"]["adverse_event"][0]["utterance"] == "Since my filler yesterday my lip looks white and hurts"
    assert data["summary"]["answered"][0]["topic"] == "emergency"


def test_agent_safety_flag_is_never_downgraded(client, agent, westside):
    turns = [{"speaker": "caller", "text": "I would like to book a HydraFacial next week"}]
    data = post(client, agent, body(westside, turns=turns, route="safety_escalation")).json()
    assert data["route"] == "safety_escalation"
    assert Handoff.objects.get().route == "safety_escalation"
    assert "Flagged as a safety escalation by the voice agent" in data["reasons"]


def test_agent_words_are_not_triaged(client, agent, westside):
    turns = [{"speaker": "agent", "text": "If you have trouble breathing, hang up and call 911."},
             {"speaker": "caller", "text": "I want to book a HydraFacial"}]
    assert post(client, agent, body(westside, turns=turns)).json()["route"] != "safety_escalation"


def test_auth_required_and_wrong_token_rejected(client, westside):
    assert client.post(URL, body(westside), content_type="application/json").status_code in (401, 403)
    assert post(client, "nope", body(westside)).status_code == 401
    assert not Call.objects.exists()


def test_provider_role_cannot_record_calls(client, westside):
    token = Token.objects.create(user=UserFactory(username="prov", role="provider", locations=[westside])).key
    assert post(client, token, body(westside)).status_code == 403


def test_scoped_to_token_users_locations(client, agent, westside, downtown, bob):
    response = post(client, agent, body(downtown))
    assert response.status_code == 400
    assert "among the locations this account serves" in response.json()["location"][0]
    created = post(client, agent, body(westside)).json()
    bob_token = Token.objects.create(user=bob).key
    assert client.get(f"{URL}{created['id']}/", HTTP_AUTHORIZATION=f"Token {bob_token}").status_code == 404
    # Bob cannot learn about or replay Alice's call id.
    assert post(client, bob_token, body(downtown)).status_code == 409


def test_location_by_id(client, agent, westside):
    assert post(client, agent, body(westside, location=str(westside.pk))).status_code == 201


@pytest.mark.parametrize("change, field", [
    ({"turns": []}, "turns"),
    ({"turns": [{"speaker": "agent", "text": "hello?"}]}, "turns"),
    ({"turns": [{"speaker": "robot", "text": "x"}]}, "turns"),
    ({"from_number": "12"}, "from_number"),
    ({"started_at": "yesterday"}, "started_at"),
    ({"ended_at": "2026-03-03T17:00:00Z"}, "ended_at"),
    ({"agent_call_id": ""}, "agent_call_id"),
])
def test_validation_errors_are_clear_400s(client, agent, westside, change, field):
    response = post(client, agent, body(westside, **change))
    assert response.status_code == 400
    assert field in response.json()
    assert not Call.objects.exists()


def test_event_call_lands_under_the_event_in_the_inbox(client, agent, alice, westside):
    vip = Event.objects.create(location=westside, name="Spring VIP night", kind="vip_night",
                               starts_at=datetime.fromisoformat("2026-03-12T02:00:00+00:00"),
                               ends_at=datetime.fromisoformat("2026-03-12T05:00:00+00:00"))
    data = post(client, agent, body(westside)).json()
    assert data["event"] == {"id": vip.pk, "name": "Spring VIP night"}
    client.force_login(alice)
    listed = client.get("/inbox/", {"event": vip.pk, "status": "all"}).content.decode()
    assert "Jordan Rivera" in listed
    assert "Jordan Rivera" not in client.get("/inbox/", {"event": vip.pk + 1, "status": "all"}).content.decode()
