"""A known clinic month for the dashboard tests: every metric's value is worked out by hand below.

Clock: 2026-03-30 13:00 in Los Angeles. Range: 2026-03-01 .. 2026-03-30 at Westside (LA).

Visits at Westside with starts_at in the range (P = patient):
  v1  P1 Neurotoxin    completed Mar 5   $500  (P1 completed Jan 10 -> returning)
  v2  P2 Consultation  completed Mar 6   $0    (P2 books Lip filler Apr 10 -> consult closed)
  v3  P3 Consultation  no-show   Mar 8
  v4  P3 Consultation  cancelled Mar 20        (ignored everywhere)
  v5  P4 HydraFacial   completed Mar 10  $225  (P4 completed Dec 1 -> returning)
  v6  P4 Neurotoxin    no-show   Mar 12  $450
  v7  P1 Dermal filler completed Mar 25  $850  (returning)
  v8  P5 Consultation  completed Mar 15  $0    (never books -> consult not closed)
Future bookings recorded in the range (created_at in range, starts after it):
  f1  P2 Lip filler  Apr 10 $750 created Mar 6 12:00 (after the consult) -> protected (returning)
  f2  P4 Neurotoxin  Apr 20 $450 created Mar 12                        -> protected (returning)
  f3  P3 Neurotoxin  Apr 5  $450 created Mar 8                         -> not protected (no completed visit)
Outside: P1 Jan 10 completed $400, P4 Dec 1 completed $225, a Downtown visit Mar 10 completed $9,999.

Handoffs at Westside opened in the range (minutes to claim):
  h1 booking 10 (summary, booked_treatment)  h2 booking 30 (no summary, booked_consult)
  h3 booking 50 (summary)                    h4 booking never claimed (summary "")
  h5 safety_escalation 5 (summary)           h6 provider_review 120 (summary, booked_consult)
  h7 staff_review 60 (no summary)
Outside: a rebooking Feb 1 at Westside, a Downtown booking Mar 10 (claimed after 7 minutes).
"""

import datetime as dt
from decimal import Decimal

from factories import PatientFactory, VisitFactory

from medspa.catalog import DEFAULT_CATALOG
from medspa.models import Handoff, Service, Visit

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 30, 20, 0, tzinfo=UTC)  # 13:00 in Los Angeles
RANGE = {"start": "2026-03-01", "end": "2026-03-30"}


def at(month, day, hour=18):
    """A UTC moment on a March/April 2026 (or earlier) day, mid-morning in Los Angeles."""
    year = 2025 if month == 12 else 2026
    return dt.datetime(year, month, day, hour, 0, tzinfo=UTC)


def service(name: str) -> Service:
    """A catalog service (created if a transactional test flushed the data migration's rows)."""
    entry = next(e for e in DEFAULT_CATALOG if e.name == name)
    return Service.objects.get_or_create(name=name, defaults={
        "category": entry.category, "return_interval_days": entry.return_interval_days,
        "aliases": list(entry.aliases), "typical_value": entry.typical_value,
    })[0]


def consultation() -> Service:
    return Service.objects.get_or_create(
        name="Consultation", defaults={"category": "consult", "return_interval_days": 365, "typical_value": 0}
    )[0]


def build(westside, downtown, provider=None):
    consult = consultation()
    p1, p2, p3, p4, p5 = (PatientFactory(location=westside, first_name=f"P{i}") for i in range(1, 6))

    def visit(patient, svc, status, when, value, created=None):
        v = VisitFactory(patient=patient, service=svc, status=status, starts_at=when, value=value,
                         location=patient.location, provider=provider)
        if created:
            Visit.objects.filter(pk=v.pk).update(created_at=created)
        return v

    C, N, X, B = Visit.Status.COMPLETED, Visit.Status.NO_SHOW, Visit.Status.CANCELLED, Visit.Status.BOOKED
    visit(p1, service("Neurotoxin"), C, at(1, 10), 400)
    visit(p4, service("HydraFacial"), C, at(12, 1), 225)
    visit(p1, service("Neurotoxin"), C, at(3, 5), 500)
    visit(p2, consult, C, at(3, 6, 17), 0)
    visit(p3, consult, N, at(3, 8), 0)
    visit(p3, consult, X, at(3, 20), 0)
    visit(p4, service("HydraFacial"), C, at(3, 10), 225)
    visit(p4, service("Neurotoxin"), N, at(3, 12), 450)
    visit(p1, service("Dermal filler"), C, at(3, 25), 850)
    visit(p5, consult, C, at(3, 15), 0)
    visit(p2, service("Lip filler"), B, at(4, 10), 750, created=at(3, 6, 20))
    visit(p4, service("Neurotoxin"), B, at(4, 20), 450, created=at(3, 12, 20))
    visit(p3, service("Neurotoxin"), B, at(4, 5), 450, created=at(3, 8, 20))
    visit(PatientFactory(location=downtown), service("Dermal filler"), C, at(3, 10), 9999)

    def handoff(route, created, claimed_minutes=None, summary="", outcome="", location=westside):
        status = Handoff.Status.OPEN
        if claimed_minutes is not None:
            status = Handoff.Status.DONE if outcome else Handoff.Status.CLAIMED
        return Handoff.objects.create(
            location=location, route=route, source=Handoff.Source.CALL, title=f"{route} item", summary=summary,
            created_at=created, due_at=created + dt.timedelta(hours=2), status=status,
            claimed_at=None if claimed_minutes is None else created + dt.timedelta(minutes=claimed_minutes),
            outcome=outcome, resolution_note="Called back." if outcome else "", value=Decimal(0),
            resolved_at=created + dt.timedelta(minutes=claimed_minutes + 5) if outcome else None,
        )

    handoff("booking", at(3, 10), 10, "Wants Botox", "booked_treatment")
    handoff("booking", at(3, 11), 30, "", "booked_consult")
    handoff("booking", at(3, 12), 50, "Asked about filler")
    handoff("booking", at(3, 13), None, "")
    handoff("safety_escalation", at(3, 14), 5, "Swelling after filler")
    handoff("provider_review", at(3, 15), 120, "Dosing question", "booked_consult")
    handoff("staff_review", at(3, 16), 60, "")
    handoff("rebooking", at(2, 1), 1000, "Old one")
    handoff("booking", at(3, 10), 7, "Downtown caller", location=downtown)


# --- calls (phase 2) -------------------------------------------------------------------------
CALLS_DOC = """
Calls at Westside (Los Angeles: PST until Mar 8, PDT after), started in the range; local time in brackets:
  c1 Mar 10 18:00Z [Tue 11 am] booking         instagram  [Neurotoxin]          Dr. Maya Patel  answered  1.0
  c2 Mar 11 03:30Z [Tue 8 pm]  event_follow_up email      [Neurotoxin, Dermal filler]  after hours, VIP Night,
                                 answered, 0.5, patient P5 (consult completed Mar 15 -> shown), inbox h2 booked_consult
  c3 Mar 12 19:00Z [Thu 12 pm] event_follow_up -          [Lip filler]  VIP Night, not promised only, 0.6,
                                 patient P3 (no completed consult after -> not shown), inbox h6 booked_consult
  c4 Mar 14 17:00Z [Sat 10 am] staff_review    -          [HydraFacial]  not promised only, 0.8
  c5 Mar 14 17:30Z [Sat 10 am] provider_review -          []  not promised only, NOT finalised
  c6 Mar 15 06:00Z [Sat 11 pm] safety          -          []  after hours, emergency script + not promised, 1.0
  c7 Mar 3  18:00Z [Tue 10 am] rebooking       instagram  [Lip filler]  no question, 0.75
Outside: a Westside call Feb 20, a Downtown booking call Mar 10.
=> 7 calls; after hours 2 (28.57%); bookable 4 (c1 c2 c3 c7: 57.14%); questions 5 (c1-c5), answered 2 (40%);
   staff / provider / safety 1 each (14.29%); completeness (1 + .5 + .6 + .8 + 1 + .75) / 6 = 77.50%;
   event calls 2, event consults booked 2, shown 1.
"""


def build_calls(westside, downtown):
    from calls.models import Call, Event

    patients = {p.first_name: p for p in westside.patients.all()} if hasattr(westside, "patients") else {}
    if not patients:
        from medspa.models import Patient
        patients = {p.first_name: p for p in Patient.objects.filter(location=westside)}
    handoffs = {h.title + str(h.created_at): h for h in Handoff.objects.filter(location=westside)}
    h2 = next(h for h in handoffs.values() if h.route == "booking" and h.outcome == "booked_consult")
    h6 = next(h for h in handoffs.values() if h.route == "provider_review")
    vip = Event.objects.create(location=westside, name="VIP Night", kind="vip_night", starts_at=at(3, 20, 2),
                               ends_at=at(3, 20, 5))

    def call(when, route, *, location=westside, after_hours=False, event=None, fields=None, answers=(),
             not_promised=(), completeness=0.0, finalized=True, patient=None, handoff=None):
        return Call.objects.create(
            location=location, channel=Call.Channel.VOICE_AGENT, started_at=when, after_hours=after_hours,
            event=event, route=route, fields=fields or {}, answers_given=list(answers),
            not_promised=list(not_promised), completeness=completeness, status=Call.Status.COMPLETED,
            finalized_at=when + dt.timedelta(minutes=5) if finalized else None, patient=patient, handoff=handoff,
        )

    answer = {"topic": "deposits", "version": 1, "wording": "A $100 deposit holds the appointment."}
    call(at(3, 10, 18), "booking", fields={"event_source": "instagram", "service_interest": ["Neurotoxin"],
                                           "provider_preference": "Dr. Maya Patel"}, answers=[answer], completeness=1.0)
    call(dt.datetime(2026, 3, 11, 3, 30, tzinfo=UTC), "event_follow_up", after_hours=True, event=vip,
         fields={"event_source": "email", "service_interest": ["Neurotoxin", "Dermal filler"]},
         answers=[{**answer, "topic": "events"}], completeness=0.5, patient=patients["P5"], handoff=h2)
    call(at(3, 12, 19), "event_follow_up", event=vip, fields={"service_interest": ["Lip filler"]},
         not_promised=["Event or offer details (no approved answer)"], completeness=0.6, patient=patients["P3"],
         handoff=h6)
    call(at(3, 14, 17), "staff_review", fields={"service_interest": ["HydraFacial"], "event_source": ""},
         not_promised=["Refund request: staff decide"], completeness=0.8)
    call(dt.datetime(2026, 3, 14, 17, 30, tzinfo=UTC), "provider_review",
         not_promised=["Clinical question for a provider: “how many units”"], finalized=False)
    call(dt.datetime(2026, 3, 15, 6, 0, tzinfo=UTC), "safety_escalation", after_hours=True,
         answers=[{**answer, "topic": "emergency"}], not_promised=["Any reassurance about symptoms"],
         completeness=1.0)
    call(at(3, 3, 18), "rebooking", fields={"event_source": "instagram", "service_interest": ["Lip filler"]},
         completeness=0.75)
    call(at(2, 20), "booking", fields={"event_source": "instagram"}, completeness=1.0)
    call(at(3, 10), "booking", location=downtown, fields={"event_source": "=HYPERLINK(\"http://x\")"},
         completeness=1.0)


# --- memberships and bundles (phase 2) -------------------------------------------------------


def build_members(westside, downtown):
    from medspa.models import Patient
    from members.models import Bundle, BundleRedemption, CreditLedgerEntry, Membership, MembershipPlan

    p = {x.first_name: x for x in Patient.objects.filter(location=westside)}
    glow = MembershipPlan.objects.create(name="Glow Club", monthly_fee=149, credit_kind="money", credits_per_cycle=100)
    tox = MembershipPlan.objects.create(name="Tox Club", monthly_fee=99, credit_kind="service_units",
                                        credits_per_cycle=10, credit_service=service("Neurotoxin"))

    def membership(patient, plan, status, started, next_renewal, entries, location=westside, **extra):
        m = Membership.objects.create(patient=patient, plan=plan, location=location, status=status,
                                      started_on=started, next_renewal_on=next_renewal, **extra)
        for kind, amount, cycle in entries:
            visit = None
            if kind == "redemption":  # a redemption is always at a visit
                visit = VisitFactory(patient=patient, location=location, starts_at=at(1, 15), status="completed",
                                     value=0)
            CreditLedgerEntry.objects.create(membership=m, kind=kind, amount=Decimal(amount), cycle=cycle,
                                             visit=visit)
        return m

    d = dt.date
    A, R = "accrual", "redemption"
    # Active, renewed Mar 5 (a renewal this month): 100 + 100 + 100 - 150 = $150 unused.
    membership(p["P1"], glow, "active", d(2026, 1, 5), d(2026, 4, 5),
               [(A, 100, d(2026, 1, 5)), (A, 100, d(2026, 2, 5)), (A, 100, d(2026, 3, 5)), (R, -150, None)])
    # Past due: $100 unused.
    membership(p["P2"], glow, "past_due", d(2026, 2, 10), d(2026, 3, 10), [(A, 100, d(2026, 2, 10))])
    # Unit plan, joined Mar 2 (first cycle, not a renewal): 10 - 4 = 6 units x $450 = $2,700 unused.
    membership(p["P3"], tox, "active", d(2026, 3, 2), d(2026, 4, 2), [(A, 10, d(2026, 3, 2)), (R, -4, None)])
    # Active, renews Mar 31 (still due this month): Feb 28 grant of $100 unused.
    membership(p["P4"], glow, "active", d(2025, 12, 31), d(2026, 3, 31),
               [(A, 100, d(2026, 2, 28))])
    # Cancelling, effective Mar 31: its Mar 31 renewal is NOT charged; $100 unused still owed.
    membership(p["P5"], glow, "cancelled", d(2025, 10, 31), d(2026, 3, 31), [(A, 100, d(2026, 2, 28))],
               cancellation_requested_on=d(2026, 3, 1), cancellation_effective_on=d(2026, 3, 31))
    # Ended: its $500 balance is not a liability.
    ended = PatientFactory(location=westside, first_name="P6")
    membership(ended, glow, "ended", d(2025, 1, 1), d(2025, 6, 1), [(A, 500, d(2025, 5, 1))])
    # Downtown (left out at Westside): active with $1,000.
    membership(PatientFactory(location=downtown), glow, "active", d(2026, 1, 1), d(2026, 4, 1),
               [(A, 1000, d(2026, 1, 1))], location=downtown)

    # Bundles at Westside: 6 x Laser for $1,200 with 2 used -> 4 x $200 = $800;
    # 3 x HydraFacial for $600, none used -> $600; an expired one and a used-up one count nothing.
    laser = Bundle.objects.create(patient=p["P1"], service=service("Laser hair removal"), location=westside,
                                  sessions_purchased=6, price_paid=1200, purchased_on=d(2026, 1, 1),
                                  expires_on=d(2027, 1, 1))
    for day in (10, 20):
        BundleRedemption.objects.create(bundle=laser, visit=VisitFactory(patient=p["P1"], location=westside,
                                        service=laser.service, starts_at=at(1, day), status="completed", value=0))
    Bundle.objects.create(patient=p["P2"], service=service("HydraFacial"), location=westside, sessions_purchased=3,
                          price_paid=600, purchased_on=d(2026, 3, 1))
    Bundle.objects.create(patient=p["P4"], service=service("HydraFacial"), location=westside, sessions_purchased=3,
                          price_paid=600, purchased_on=d(2025, 1, 1), expires_on=d(2026, 1, 1))
    used_up = Bundle.objects.create(patient=p["P5"], service=service("HydraFacial"), location=westside,
                                    sessions_purchased=1, price_paid=200, purchased_on=d(2026, 2, 1))
    BundleRedemption.objects.create(bundle=used_up, visit=VisitFactory(patient=p["P5"], location=westside,
                                    service=used_up.service, starts_at=at(2, 2), status="completed", value=0))
    Bundle.objects.create(patient=PatientFactory(location=downtown), service=service("HydraFacial"),
                          location=downtown, sessions_purchased=2, price_paid=9000, purchased_on=d(2026, 3, 1))


# --- recall (phase 3) ------------------------------------------------------------------------
RECALL_DOC = """
Recall at Westside (R = patient, N = Neurotoxin 90 days, H = HydraFacial 30 days, D = Dermal filler 365 days).
Schedules today:  N: R1 due, R2 late, R3 lapsed, R4 booked, R5 upcoming   -> lapse 1/5 = 20%
                  H: R1 lapsed, R3 lapsed, R2 booked, R6 upcoming, R7 paused (not active) -> lapse 2/4 = 50%
                  D: R8 upcoming                                          -> lapse 0/1
Touches sent in the range: t1 R1N on_time Mar 3, t2 R2N late Mar 5, t3 R3N reactivation Mar 7, t4 R4N on_time Mar 2,
  t5 R1H late Mar 10, t6 R2H reactivation Mar 12, t7 R6H on_time Mar 14 (N 4, H 3; on_time 3, late 2, react. 2).
  Outside: t8 R5N on_time Feb 12, t10 R8D on_time Feb 1, a queued (unsent) touch for R8D, Downtown td Mar 8.
Replies: m1 -> t1 Mar 4 (rebooking handoff), m2 -> t2 Mar 6 (staff_review), m3 -> t5 Mar 11 (rebooking);
  m4 -> t1 Mar 5 is a STOP keyword (not a reply). N: 2 replies / 4 = 50%, H: 1 / 3 = 33.33%.
Link: R4N asks for a time Mar 2 (request), R6H snoozes Mar 15, R5N request Feb 15 (outside).
  Rebook requests: N 2 (m1 + link), H 1 (m3).
Recovered (won in the range): a1 R4N via t4 booked Apr 6 $450 (won Mar 3; due Dec 5 + 90 = Mar 5 -> 32 days),
  a2 R6H via t7 completed Mar 20 $225 (due Feb 15 + 30 = Mar 17 -> 3 days), a3 R5N via t8 completed Mar 2 $500
  (due Nov 20 + 90 = Feb 18 -> 12 days), a4 R2H via t6 booked Apr 2 $225 (won Mar 13; due Sep 1 + 30 = Oct 1 ->
  183 days). Outside: a5 R8D via t10 won Feb 25 $850; Downtown a6 via td Mar 9 $9,999.
Funnel (schedules): due 9 (5 owing + R4N, R2H, R6H touched + R5N recovered), touched 7, replied or asked 4 (R1N, R2N,
  R1H, R4N), recovered 4 (R4N, R6H, R5N, R2H).
"""


def build_recall(westside, downtown):
    from medspa.models import Handoff, Patient
    from recall.models import Attribution, InboundMessage, LinkAction, RecallLink, RecallSchedule, Touch

    d = dt.datetime
    N, H, D = service("Neurotoxin"), service("HydraFacial"), service("Dermal filler")
    r = {i: PatientFactory(location=westside, first_name=f"R{i}") for i in range(1, 9)}
    dp = PatientFactory(location=downtown, first_name="D1")
    C, B = Visit.Status.COMPLETED, Visit.Status.BOOKED

    def visit(patient, svc, status, when, value, created=None):
        v = VisitFactory(patient=patient, service=svc, status=status, starts_at=when, value=value,
                         location=patient.location)
        if created:
            Visit.objects.filter(pk=v.pk).update(created_at=created)
        return v

    # Previous completed visits (the due dates) and the recovered visits; the recall hooks run, then
    # the schedules are replaced below with the states the docstring lists.
    visit(r[4], N, C, d(2025, 12, 5, 18, tzinfo=UTC), 450)
    visit(r[6], H, C, d(2026, 2, 15, 18, tzinfo=UTC), 225)
    visit(r[5], N, C, d(2025, 11, 20, 18, tzinfo=UTC), 450)
    visit(r[2], H, C, d(2025, 9, 1, 18, tzinfo=UTC), 225)
    visit(r[8], D, C, d(2025, 2, 1, 18, tzinfo=UTC), 850)
    visit(dp, N, C, d(2025, 12, 1, 18, tzinfo=UTC), 450)
    v1 = visit(r[4], N, B, at(4, 6), 450, created=at(3, 3))
    v2 = visit(r[6], H, C, at(3, 20), 225)
    v3 = visit(r[5], N, C, at(3, 2), 500)
    v4 = visit(r[2], H, B, at(4, 2), 225, created=at(3, 13))
    v5 = visit(r[8], D, C, at(2, 25), 850)
    v6 = visit(dp, N, C, at(3, 9), 9999)
    Attribution.objects.filter(visit__patient__in=[*r.values(), dp]).delete()
    RecallSchedule.objects.filter(patient__in=[*r.values(), dp]).delete()

    def schedule(patient, svc, state):
        return RecallSchedule.objects.create(patient=patient, service=svc, state=state, last_visit=dt.date(2025, 12, 1),
                                             due_date=dt.date(2026, 3, 1))

    s = {key: schedule(r[int(key[1])], {"N": N, "H": H, "D": D}[key[2]], state) for key, state in [
        ("R1N", "due"), ("R2N", "late"), ("R3N", "lapsed"), ("R4N", "booked"), ("R5N", "upcoming"),
        ("R1H", "lapsed"), ("R3H", "lapsed"), ("R2H", "booked"), ("R6H", "upcoming"), ("R7H", "paused"),
        ("R8D", "upcoming")]}
    s["D1N"] = schedule(dp, N, "lapsed")

    def touch(key, kind, sent, status="delivered"):
        sch = s[key]
        number = sch.touches.count() + 1
        return Touch.objects.create(schedule=sch, patient=sch.patient, service=sch.service, number=number, kind=kind,
                                    idempotency_key=f"{sch.pk}:{number}",
                                    body="Hi, it's the clinic: https://example.test/r/x", to=str(sch.patient.phone),
                                    from_number="+15005550006", status=status, sent_at=sent)

    t1, t2 = touch("R1N", "on_time", at(3, 3)), touch("R2N", "late", at(3, 5))
    touch("R3N", "reactivation", at(3, 7))
    t4 = touch("R4N", "on_time", at(3, 2))
    t5, t6 = touch("R1H", "late", at(3, 10)), touch("R2H", "reactivation", at(3, 12))
    t7, t8 = touch("R6H", "on_time", at(3, 14)), touch("R5N", "on_time", at(2, 12))
    t10, td = touch("R8D", "on_time", at(2, 1)), touch("D1N", "reactivation", at(3, 8))
    touch("R8D", "late", None, status="queued")

    def reply(n, t, when, kind="reply", route=None):
        handoff = None
        if route:
            handoff = Handoff.objects.create(location=westside, patient=t.schedule.patient, route=route,
                                             source=Handoff.Source.SMS, title="Text reply", summary="Reply",
                                             created_at=when)
        InboundMessage.objects.create(message_sid=f"SMrecall{n}", from_number=t.to, to_number=t.from_number,
                                      body="Yes please", received_at=when, kind=kind, touch=t, handoff=handoff,
                                      patient=t.schedule.patient)

    reply(1, t1, at(3, 4), route="rebooking")
    reply(2, t2, at(3, 6), route="staff_review")
    reply(3, t5, at(3, 11), route="rebooking")
    reply(4, t1, at(3, 5), kind="stop")

    def link_action(key, t, action, when):
        link, _token = RecallLink.objects.issue(s[key], t, now=when)
        LinkAction.objects.create(link=link, action=action, created_at=when)

    link_action("R4N", t4, "request", at(3, 2, 20))
    link_action("R6H", t7, "snooze", at(3, 15))
    link_action("R5N", t8, "request", at(2, 15))

    for v, t, won in [(v1, t4, at(3, 3)), (v2, t7, at(3, 20)), (v3, t8, at(3, 2)), (v4, t6, at(3, 13)),
                      (v5, t10, at(2, 25)), (v6, td, at(3, 9))]:
        Attribution.objects.create(visit=v, touch=t, kind=t.kind, service_id=v.service_id,
                                   location_id=v.location_id, value=v.value, visit_at=v.starts_at, created_at=won)
    return Patient.objects.filter(pk__in=[p.pk for p in r.values()])
