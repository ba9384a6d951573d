"""The triage_text management command: stdin lines in, JSON lines out."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run(text: str, *args: str) -> list[dict]:
    out = io.StringIO()
    call_command("triage_text", *args, stdin=io.StringIO(text), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.django_db
def test_acceptance_sentences_as_json_lines():
    rows = run(
        "Since my filler yesterday my lip looks white and hurts\n\n   \nCan I book Botox for the VIP night?\n",
        "--now", "2026-11-22T10:00:00",
    )
    assert len(rows) == 2  # blank lines skipped
    safety, booking = rows
    assert set(safety) == {"text", "route", "reasons", "fields"}
    assert safety["text"] == "Since my filler yesterday my lip looks white and hurts"
    assert safety["route"] == "safety_escalation"
    assert "lip looks white" in safety["reasons"]
    assert booking["route"] == "booking"
    assert booking["reasons"] == ["book"]
    assert booking["fields"]["event_kind"] == "vip_night"
    assert booking["fields"]["service_interest"] == ["Neurotoxin"]


@pytest.mark.django_db
def test_now_and_tz_options_resolve_dates():
    rows = run("RSVP by tomorrow for the open house\n", "--now", "2026-11-22T07:30:00+00:00",
               "--tz", "America/Los_Angeles")
    assert rows[0]["route"] == "event_follow_up"
    assert rows[0]["fields"]["deadline"] == "2026-11-22"
    rows = run("RSVP by tomorrow for the open house\n", "--now", "2026-11-22T07:30:00+00:00",
               "--tz", "America/New_York")
    assert rows[0]["fields"]["deadline"] == "2026-11-23"


@pytest.mark.django_db
def test_bad_options_are_command_errors():
    with pytest.raises(CommandError):
        run("hi\n", "--tz", "Mars/Olympus_Mons")
    with pytest.raises(CommandError):
        run("hi\n", "--now", "yesterday-ish")
