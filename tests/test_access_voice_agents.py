"""A voice agent reads only the calls it posted, and its answers never tell whether a number is a patient's."""

import pytest
from factories import UserFactory
from rest_framework.authtoken.models import Token
from test_calls_api import URL, body, post

from calls import intake
from calls.models import Call

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents(westside):
    tokens = []
    for name in ("agent-a", "agent-b"):
        user = UserFactory(username=name, role="voice_agent", locations=[westside])
        tokens.append(Token.objects.create(user=user).key)
    return tokens


def get(client, token, pk):
    return client.get(f"{URL}{pk}/", HTTP_AUTHORIZATION=f"Token {token}")


def test_an_agent_reads_only_its_own_calls(client, agents, westside, alice):
    mine, theirs = agents
    own = post(client, mine, body(westside)).json()["id"]
    other = post(client, theirs, body(westside, agent_call_id="b-1")).json()["id"]
    form_call = intake.record_call(location=westside, channel=Call.Channel.COORDINATOR_FORM,
                                   turns=[{"speaker": "note", "text": "Wants filler"}], from_number="+14155550134",
                                   caller_name="Jordan Rivera", created_by=alice)
    assert get(client, mine, own).status_code == 200
    assert get(client, mine, other).status_code == 404
    assert get(client, mine, form_call.pk).status_code == 404
    # Replaying another agent's call id does not hand its record over.
    replay = post(client, mine, body(westside, agent_call_id="b-1"))
    assert replay.status_code == 409 and "Jordan" not in replay.content.decode()


def test_answers_are_the_same_for_a_patient_and_a_stranger(client, agents, westside, patient):
    token = agents[0]
    known = post(client, token, body(westside, agent_call_id="k-1", from_number=str(patient.phone)))
    stranger = post(client, token, body(westside, agent_call_id="s-1", from_number="+14155550999"))
    assert known.status_code == stranger.status_code == 201
    assert Call.objects.get(pk=known.json()["id"]).patient == patient  # matched inside the clinic
    shape = {k: v for k, v in known.json().items() if k not in ("id", "agent_call_id")}
    assert shape == {k: v for k, v in stranger.json().items() if k not in ("id", "agent_call_id")}
    assert set(known.json()) == {"id", "agent_call_id", "channel", "location", "status"}
    detail = get(client, token, known.json()["id"]).json()
    assert "patient_id" not in detail and "summary" not in detail and "handoff_id" not in detail


def test_staff_still_get_the_full_call(client, westside, patient, alice):
    token = Token.objects.create(user=alice).key
    created = post(client, token, body(westside)).json()
    assert created["patient_id"] == patient.pk and created["summary"]
