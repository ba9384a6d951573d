"""Voice agent accounts: API-only, one location, token created, rotated and revoked by command."""

import io

import pytest
from django.core.management import CommandError, call_command
from test_calls_api import URL, body, post

from medspa.models import User

pytestmark = pytest.mark.django_db


def create(*args) -> str:
    out = io.StringIO()
    call_command("create_voice_agent", *args, stdout=out)
    return out.getvalue()


def token_from(output: str) -> str:
    return next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("Token: "))


def test_agent_token_records_calls_for_its_location_only(client, westside, downtown, patient):
    token = token_from(create(westside.slug))
    agent = User.objects.get(username=f"voice-agent-{westside.slug}")
    assert agent.role == "voice_agent" and not agent.has_usable_password()
    assert list(agent.locations.all()) == [westside]

    created = post(client, token, body(westside))
    assert created.status_code == 201, created.content
    call_id = created.json()["id"]
    assert client.get(f"{URL}{call_id}/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert post(client, token, body(downtown, agent_call_id="other")).status_code in (400, 404)


def test_agent_token_reaches_nothing_but_the_call_api(client, westside, patient):
    token = token_from(create(westside.slug))
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client.get("/api/v1/patients/", **auth).status_code == 403
    assert client.get(f"/api/v1/patients/{patient.pk}/", **auth).status_code == 403
    assert client.get("/api/v1/roi/", **auth).status_code == 403
    client.force_login(User.objects.get(username=f"voice-agent-{westside.slug}"))
    for page in ["/inbox/", "/patients/", f"/patients/{patient.pk}/", "/calls/", "/members/", "/recall/"]:
        assert client.get(page).status_code == 403, page


def test_rotate_revoke_and_refuse_a_second_token(client, westside):
    first = token_from(create(westside.slug))
    with pytest.raises(CommandError, match="already has a token"):
        create(westside.slug)
    second = token_from(create(westside.slug, "--rotate"))
    assert second != first
    assert post(client, first, body(westside)).status_code == 401
    assert post(client, second, body(westside)).status_code == 201
    assert "revoked" in create(westside.slug, "--revoke")
    assert post(client, second, body(westside, agent_call_id="later")).status_code == 401


def test_unknown_location_is_a_clear_error(westside):
    with pytest.raises(CommandError, match="No location with slug “nowhere”. Known: westside-aesthetics"):
        create("nowhere")
