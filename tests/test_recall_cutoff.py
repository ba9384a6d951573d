"""Reactivation cutoff: a schedule lapsed for `stop_after_lapsed_days` is closed without a touch."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from factories import PatientFactory, VisitFactory, service
from recall_support import la, run_dispatcher

from medspa.models import AuditLog
from recall import clock
from recall.models import RecallRule, RecallSchedule, Touch
from recall.sweep import sweep

LAST = dt.date(2026, 1, 1)  # Neurotoxin: due 2026-04-01, lapsed from 2026-06-30, closed from 2027-06-30


def rule(**kw):
    defaults = {"interval_days": 90, "window_opens_days": 7, "late_after_days": 21, "lapsed_after_days": 90,
                "max_touches": 3, "min_days_between": 14}
    return RecallRule(**{**defaults, **kw})


@pytest.mark.parametrize(("day", "cutoff", "state", "touch"), [
    (dt.date(2027, 6, 29), 365, "lapsed", "reactivation"),  # lapsed 364 days: still worth one text
    (dt.date(2027, 6, 30), 365, "closed", None),            # lapsed 365 days: closed, no text
    (dt.date(2026, 7, 9), 10, "lapsed", "reactivation"),
    (dt.date(2026, 7, 10), 10, "closed", None),
    (dt.date(2036, 1, 1), 0, "lapsed", "reactivation"),      # 0 = never stop
])
def test_clock_boundaries(day, cutoff, state, touch):
    p = clock.plan(day, last_visit=LAST, rule=rule(stop_after_lapsed_days=cutoff))
    assert (p.state, p.touch) == (state, touch)
    if state == "closed":
        assert p.next_check is None


def status(*args) -> list[dict]:
    out = io.StringIO()
    call_command("recall_status", "--format", "json", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.django_db
@pytest.mark.parametrize(("as_of", "state", "next_touch"), [
    ("2027-06-29", "lapsed", "2027-06-29 reactivation"),
    ("2027-06-30", "closed", None),
])
def test_recall_status_reflects_the_cutoff(patient, as_of, state, next_touch):
    VisitFactory(patient=patient, service=service("Neurotoxin"), starts_at=la(2026, 1, 1, 11, 0))
    [row] = status("--as-of", as_of)
    assert (row["state"], row["next_touch"]) == (state, next_touch)


@pytest.mark.django_db
def test_recall_status_with_cutoff_off(patient):
    VisitFactory(patient=patient, service=service("Neurotoxin"), starts_at=la(2026, 1, 1, 11, 0))
    RecallRule.objects.filter(service__name="Neurotoxin").update(stop_after_lapsed_days=0)
    [row] = status("--as-of", "2030-01-01")
    assert (row["state"], row["next_touch"]) == ("lapsed", "2030-01-01 reactivation")


@pytest.mark.django_db
def test_first_sweep_after_an_import_texts_only_the_recently_lapsed(westside, fake_twilio, settings):
    settings.SMS_RATE_PER_SECOND = 1000
    now = la(2026, 9, 1, 10, 0)
    long_gone = PatientFactory(first_name="Gone", location=westside)
    recent = PatientFactory(first_name="Recent", location=westside)
    edge = PatientFactory(first_name="Edge", location=westside)
    almost = PatientFactory(first_name="Almost", location=westside)
    with time_machine.travel(now, tick=False):
        VisitFactory(patient=long_gone, service=service("Neurotoxin"), starts_at=la(2023, 5, 1, 11, 0))
        VisitFactory(patient=recent, service=service("Neurotoxin"), starts_at=la(2026, 1, 1, 11, 0))
        # Due 2025-06-03, lapsed from 2025-09-01: on 2026-09-01 it has been lapsed exactly 365 days.
        VisitFactory(patient=edge, service=service("Neurotoxin"), starts_at=la(2025, 3, 5, 11, 0))
        # One day later: lapsed 364 days, still gets its one reactivation text.
        VisitFactory(patient=almost, service=service("Neurotoxin"), starts_at=la(2025, 3, 6, 11, 0))
        sweep()
        run_dispatcher()
    states = dict(RecallSchedule.objects.values_list("patient__first_name", "state"))
    assert states == {"Gone": "closed", "Recent": "lapsed", "Edge": "closed", "Almost": "lapsed"}
    assert sorted(Touch.objects.values_list("patient__first_name", "kind")) == [
        ("Almost", "reactivation"), ("Recent", "reactivation")]
    assert len(fake_twilio.messages) == 2
    assert RecallSchedule.objects.get(patient=long_gone).next_action_at is None
    # Coming back starts a new cycle.
    with time_machine.travel(now + dt.timedelta(days=1), tick=False):
        VisitFactory(patient=long_gone, service=service("Neurotoxin"), starts_at=now)
    assert RecallSchedule.objects.get(patient=long_gone).state == "upcoming"


@pytest.mark.django_db
def test_owner_edits_the_cutoff(owner_client, olivia):
    rule = RecallRule.objects.get(service__name="Neurotoxin")
    url = f"/settings/recall/{rule.service_id}/"
    assert owner_client.get(url).status_code == 200
    data = {"is_active": "on", "channel": "text_first", "interval_days": 90, "window_opens_days": 7,
            "late_after_days": 21, "lapsed_after_days": 90, "stop_after_lapsed_days": 180, "max_touches": 3,
            "min_days_between": 14, "on_time_template": rule.on_time_template, "late_template": rule.late_template,
            "reactivation_template": rule.reactivation_template}
    assert owner_client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert rule.stop_after_lapsed_days == 180
    assert AuditLog.objects.filter(actor=olivia, action="recall.rule_saved").exists()


@pytest.mark.django_db
def test_coordinator_cannot_edit_rules(alice_client):
    rule = RecallRule.objects.get(service__name="Neurotoxin")
    assert alice_client.get(f"/settings/recall/{rule.service_id}/").status_code == 403
