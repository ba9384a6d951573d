"""Every write route, walked as an owner of one location and as each role there, with the other
location's ids and the other location's choices: nothing the other location sees may change.

A route added to the URL map is walked automatically; routes that write only the person's own
account are listed with the reason. The same walk as an owner of both locations does change the
other location (the control that proves the walk can see a write).
"""

import datetime as dt
import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from factories import PatientFactory, ProviderFactory, UserFactory, VisitFactory
from members_factories import BundleFactory, DepositFactory, start_membership, tox_plan
from test_calls_api import body as agent_call_body
from test_every_url_needs_login import PUBLIC, SIGNED, app_urls

from calls import intake
from calls.models import ApprovedAnswer, Call, CallPlan, CallPlanVersion, CallTurn, Event
from medspa.models import ConsentEvent, Handoff, Location, Patient, PhoneNumberClaim, Provider, Service, User, Visit
from members.models import (
    Bundle,
    BundleRedemption,
    CreditLedgerEntry,
    Deposit,
    Membership,
    MembershipPlan,
    MembershipStatusChange,
)
from recall.importer import COLUMNS
from recall.models import ImportJob, MemberTouchTemplate, RecallLink, RecallRule, RecallSchedule, Touch
from recall.tasks import run_import

pytestmark = pytest.mark.django_db

# Writes to the person's own account only, never to clinic data.
OWN_ACCOUNT = {
    "password_change": "changes the signed-in person's own password",
    "two_factor": "turns on the signed-in owner's own two-step login",
}


def other_side(w: Location) -> dict:
    """Everything the location `w` sees, including records shared by every location."""
    return {
        "location": Location.objects.filter(pk=w.pk),
        "claims": PhoneNumberClaim.objects.filter(location=w),
        "patients": Patient.objects.filter(location=w),
        "visits": Visit.objects.filter(Q(location=w) | Q(patient__location=w)),
        "consents": ConsentEvent.objects.filter(patient__location=w),
        "handoffs": Handoff.objects.filter(Q(location=w) | Q(patient__location=w)),
        "providers": Provider.objects.filter(locations=w).values("id", "name", "title", "user", "is_active",
                                                                 "locations"),
        "staff": User.objects.filter(locations=w).values("id", "username", "role", "is_active", "password",
                                                         "locations"),
        "services": Service.objects.all(),
        "calls": Call.objects.filter(Q(location=w) | Q(patient__location=w)),
        "turns": CallTurn.objects.filter(call__location=w),
        "events": Event.objects.filter(location=w).values(*[f.name for f in Event._meta.concrete_fields],
                                                         "services"),
        "plans": CallPlan.objects.filter(location=w),
        "plan_versions": CallPlanVersion.objects.filter(plan__location=w),
        "answers": ApprovedAnswer.objects.filter(version__plan__location=w),
        "rules": RecallRule.objects.all(),
        "member_wording": MemberTouchTemplate.objects.all(),
        "schedules": RecallSchedule.objects.filter(patient__location=w),
        "touches": Touch.objects.filter(patient__location=w),
        "links": RecallLink.objects.filter(patient__location=w),
        "membership_plans": MembershipPlan.objects.values(*[f.name for f in MembershipPlan._meta.concrete_fields],
                                                          "included_services"),
        "memberships": Membership.objects.filter(Q(location=w) | Q(patient__location=w)),
        "ledger": CreditLedgerEntry.objects.filter(membership__location=w),
        "status_changes": MembershipStatusChange.objects.filter(membership__location=w),
        "bundles": Bundle.objects.filter(Q(location=w) | Q(patient__location=w)),
        "redemptions": BundleRedemption.objects.filter(Q(bundle__location=w) | Q(visit__location=w)),
        "deposits": Deposit.objects.filter(Q(location=w) | Q(patient__location=w) | Q(event__location=w)),
    }


def fingerprint(w: Location) -> dict:
    out = {}
    for name, qs in other_side(w).items():
        rows = qs.values() if hasattr(qs, "model") and not getattr(qs, "_fields", None) else qs
        text = json.dumps(sorted(json.dumps(r, sort_keys=True, default=str) for r in rows))
        out[name] = hashlib.sha256(text.encode()).hexdigest()
    return out


class Side:
    """One location's records, enough to fill every route's ids and choices."""

    def __init__(self, location: Location, tag: str, plan):
        self.location, self.tag = location, tag
        self.patient = PatientFactory(first_name=f"Pat{tag}", last_name="Walk", location=location,
                                      external_id=f"EXT-{tag}",
                                      phone=f"+1602555{1000 + len(tag) * 7 + ord(tag[0]):04d}")
        self.provider = ProviderFactory(name=f"Dr. {tag}", locations=[location])
        self.staff = UserFactory(username=f"staff-{tag}", role="coordinator", locations=[location])
        self.visit = VisitFactory(patient=self.patient, location=location, status=Visit.Status.BOOKED,
                                  starts_at=timezone.now() + dt.timedelta(days=3))
        self.event = Event.objects.create(location=location, name=f"{tag} night", kind="vip_night",
                                          starts_at=timezone.now() + dt.timedelta(days=10),
                                          ends_at=timezone.now() + dt.timedelta(days=10, hours=3))
        call = intake.record_call(location=location, channel=Call.Channel.COORDINATOR_FORM,
                                  turns=[{"speaker": "note", "text": "Wants Botox next week"}],
                                  from_number=str(self.patient.phone), caller_name="Pat Walk", created_by=self.staff)
        self.call = Call.objects.get(pk=call.pk)
        self.handoff = self.call.handoff
        self.membership = start_membership(self.patient, plan, started_on=timezone.localdate() - dt.timedelta(days=5))
        self.bundle = BundleFactory(patient=self.patient)
        self.deposit = DepositFactory(patient=self.patient)

    def kwargs(self, name: str) -> list[dict]:
        by_route = {
            "inbox_item": [{"pk": self.handoff.pk}], "inbox_claim": [{"pk": self.handoff.pk}],
            "inbox_resolve": [{"pk": self.handoff.pk}], "inbox_media": [{"pk": self.handoff.pk, "media_pk": 1}],
            "calls:make_patient": [{"pk": self.call.pk}],
            "recall:import_job": [{"pk": 1}], "recall:import_retry": [{"pk": 1}],
            "recall:dev_phone": [{"pk": self.patient.pk}],
            "patient_detail": [{"pk": self.patient.pk}], "patient_edit": [{"pk": self.patient.pk}],
            "visit_add": [{"pk": self.patient.pk}], "patient_consent": [{"pk": self.patient.pk}],
            "recall:call_outcome": [{"pk": pk} for pk in RecallSchedule.objects.filter(patient=self.patient)
                                    .values_list("pk", flat=True)] or [{"pk": 0}],
            "settings:location": [{"pk": self.location.pk}],
            "settings:provider": [{"pk": self.provider.pk}],
            "calls:detail": [{"pk": self.call.pk}], "calls:api_detail": [{"pk": self.call.pk}],
            "calls:plan_location": [{"slug": self.location.slug}],
            "calls:event_edit": [{"pk": self.event.pk}],
            "members:detail": [{"pk": self.membership.pk}], "members:adjust": [{"pk": self.membership.pk}],
            "members:redeem": [{"pk": self.membership.pk}],
            "members:action": [{"pk": self.membership.pk, "action": a} for a in
                               ("freeze", "unfreeze", "cancel", "withdraw", "past_due", "reactivate", "end")],
            "members:start": [{"patient_pk": self.patient.pk}], "members:bundle_add": [{"patient_pk": self.patient.pk}],
            "members:deposit_add": [{"patient_pk": self.patient.pk}],
            "members:bundle_redeem": [{"pk": self.bundle.pk, "visit_pk": self.visit.pk}],
            "members:deposit_action": [{"pk": self.deposit.pk, "action": a} for a in ("apply", "refund", "forfeit")],
            "api-patient-detail": [{"pk": self.patient.pk}],
            # Shared by every location: the same record from either side.
            "settings:service": [{"pk": Service.objects.get(name="Neurotoxin").pk}],
            "recall:rule_edit": [{"service_pk": Service.objects.get(name="Neurotoxin").pk}],
            "recall:wording_edit": [{"pk": t.pk} for t in MemberTouchTemplate.objects.all()[:1]],
            "members:plan_edit": [{"pk": MembershipPlan.objects.first().pk}],
        }
        return by_route.get(name, [{}])


def choices(other: Side) -> dict:
    """A form post that is valid except that every choice is the other location's."""
    today = timezone.localdate().isoformat()
    w = other.location
    data = {
        "location": w.pk, "patient": other.patient.pk, "provider": other.provider.pk, "event": other.event.pk,
        "visit": other.visit.pk, "user": other.staff.pk, "locations": [w.pk],
        "service": Service.objects.get(name="Neurotoxin").pk, "services": [Service.objects.get(name="Neurotoxin").pk],
        "plan": MembershipPlan.objects.first().pk,
        "name": "Taken over", "first_name": "Mal", "last_name": "Lory", "phone": str(w.phone),
        "title": "MD", "is_active": "on", "kind": "open_house", "category": "skin",
        "starts_at": "2030-04-12T18:00", "ends_at": "2030-04-12T21:00", "time_zone": "America/Phoenix",
        "tracking_number": str(w.voice_number), "voice_number": str(w.voice_number), "sms_number": str(w.sms_number),
        "on_call_number": "+16025550111", "mon_opens": "09:00", "mon_closes": "17:00",
        "notes": "Caller wants Botox before the VIP night", "caller_name": "Mal Lory", "sentence": "Do you have Botox?",
        "status": "completed", "value": "100", "amount": "10", "reason": "walk", "note": "walk",
        "outcome": "booked", "taken_on": today, "purchased_on": today, "requested_on": today,
        "sessions_purchased": 3, "price_paid": "100", "units": "1", "months": "1", "starts_on": today,
        "return_interval_days": 7, "typical_value": "1", "aliases": "", "interval_days": 7,
        "window_opens_days": 7, "late_after_days": 21, "lapsed_after_days": 90, "stop_after_lapsed_days": 365,
        "max_touches": 3, "min_days_between": 14, "body": "Hi {first_name}, {clinic} here: {link}",
        "on_time_template": "Hi {first_name}: {link}", "late_template": "Hi {first_name}: {link}",
        "reactivation_template": "Hi {first_name}: {link}", "channel": "text_first", "monthly_fee": "1",
        "credit_kind": "money",
        "credits_per_cycle": "1", "expiry_rule": "never", "rollover_cycles": 0, "minimum_term_months": 0,
        "cancellation_notice_days": 30, "max_freeze_months_per_year": 0, "member_discount_percent": 0,
        "greeting": "Hello from {clinic}", "emergency": "Call 911 now.", "closing": "Bye",
    }
    return data


def walk_writes(client, own: Side, other: Side):
    """POST every route with the other side's ids, then with its own ids, always with the other side's choices.
    Yields (route, path, status, changed tables)."""
    baseline = fingerprint(other.location)
    payload = choices(other)
    for name, _ in app_urls():
        if name in PUBLIC or name in SIGNED or name in OWN_ACCOUNT or name is None:
            continue
        for side in (other, own):
            for kwargs in side.kwargs(name):
                if name == "dashboards:export":
                    kwargs = {"section": "routes"}
                path = reverse(name, kwargs=kwargs or None)
                if name == "calls:api_create":
                    response = client.post(path, agent_call_body(other.location, agent_call_id=f"walk-{side.tag}"),
                                           content_type="application/json")
                elif name == "recall:import":
                    header = ",".join(COLUMNS)
                    rows = [f"{other.patient.external_id},Mal,Lory,+16025559999,,{own.location.name},Neurotoxin,,"
                            f"2025-01-02,completed,450",  # the other side's patient, at my location
                            f"NEW-1,Ann,New,+16025559998,,{other.location.name},Neurotoxin,{other.provider.name},"
                            f"2025-01-02,completed,450"]  # a new patient at the other location
                    csv_file = SimpleUploadedFile("h.csv", "\n".join([header, *rows]).encode())
                    response = client.post(path, {**payload, "file": csv_file})
                    if response.status_code == 302:  # the upload queued a job: run it as the worker would
                        run_import(ImportJob.objects.latest("pk").pk)
                else:
                    response = client.post(path, payload)
                after = fingerprint(other.location)
                changed = sorted(k for k in after if after[k] != baseline[k])
                if changed:
                    yield name, path, response.status_code, changed
                    baseline = after


@pytest.fixture
def sides(westside, downtown):
    plan = tox_plan()
    west, down = Side(westside, "west", plan), Side(downtown, "down", plan)
    westside.voice_number = "+14155550101"
    westside.save()
    CallPlan.current_for(westside)
    CallPlan.current_for(downtown)
    return down, west


@pytest.mark.parametrize("role", ["owner", "coordinator", "provider", "voice_agent"])
def test_nobody_at_one_location_changes_what_the_other_location_sees(client, sides, role):
    own, other = sides
    client.force_login(UserFactory(username=f"walker-{role}", role=role, locations=[own.location]))
    accepted = list(walk_writes(client, own, other))
    assert accepted == []


def test_the_walk_sees_writes_by_an_owner_of_both_locations(client, sides):
    own, other = sides
    client.force_login(UserFactory(username="both", role="owner", locations=[own.location, other.location]))
    accepted = {name for name, *_ in walk_writes(client, own, other)}
    assert {"patient_new", "settings:location", "inbox_claim", "members:adjust", "recall:import"} <= accepted
