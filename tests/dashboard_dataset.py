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
