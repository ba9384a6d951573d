"""Demo memberships: 3 plans, ~250 members with 6-18 months of ledger history (accruals, redemptions at
their real demo visits, expiries by rule), some past due / frozen / cancelling / ended; ~150 bundles
partly used at demo visits; ~40 deposits. Called by `manage.py seed_demo` after the core clinic.

The ledger is simulated with the same rules as the app (earliest-expiring credit spent first, expiry
at the end of the cycle plus rollover) and bulk-inserted, so balances never go below zero.
"""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from calls.models import Event
from medspa.models import Patient, Service, User, Visit

from .cycles import add_months, renewal_after
from .models import (
    Bundle,
    BundleRedemption,
    CreditLedgerEntry,
    Deposit,
    Membership,
    MembershipPlan,
    MembershipStatusChange,
)

Status = Membership.Status
Kind = CreditLedgerEntry.Kind

PLANS = [
    {"name": "Glow Club", "monthly_fee": Decimal("99"), "credit_kind": "money", "credits_per_cycle": Decimal("100"),
     "member_discount_percent": Decimal("10"), "rollover_cycles": 1, "expiry_rule": "cycle_end",
     "minimum_term_months": 3, "cancellation_notice_days": 30, "max_freeze_months_per_year": 2,
     "description": "$100 of treatment credit every month, 10% off everything else. Unused credit rolls "
                    "over one month."},
    {"name": "Tox Club", "monthly_fee": Decimal("149"), "credit_kind": "service_units",
     "credits_per_cycle": Decimal("20"), "member_discount_percent": Decimal("5"), "rollover_cycles": 2,
     "expiry_rule": "cycle_end", "minimum_term_months": 6, "cancellation_notice_days": 30,
     "max_freeze_months_per_year": 1, "description": "20 units of neurotoxin a month; units roll over two months."},
    {"name": "VIP", "monthly_fee": Decimal("299"), "credit_kind": "money", "credits_per_cycle": Decimal("300"),
     "member_discount_percent": Decimal("15"), "rollover_cycles": 0, "expiry_rule": "days_after_accrual",
     "credit_expiry_days": 90, "minimum_term_months": 12, "cancellation_notice_days": 60,
     "max_freeze_months_per_year": 2, "description": "$300 credit a month (good for 90 days), 15% off, "
                                                      "a complimentary HydraFacial."},
]
BUNDLES = [("Laser hair removal", 6, Decimal("1500")), ("HydraFacial", 4, Decimal("800")),
           ("Microneedling", 3, Decimal("1200"))]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(18, 0), tzinfo=UTC)


def seed(rng: random.Random, now: datetime, out) -> None:
    today = now.date()
    services = {s.name: s for s in Service.objects.all()}
    plans = []
    for data in PLANS:
        plan, _ = MembershipPlan.objects.update_or_create(name=data["name"], defaults={
            **data, "credit_service": services["Neurotoxin"] if data["credit_kind"] == "service_units" else None,
        })
        plans.append(plan)
    plans[2].included_services.set([services["HydraFacial"]])
    owner = User.objects.filter(role="owner").first()
    staff = list(User.objects.filter(role="coordinator")) or [owner]

    visits_by_patient = defaultdict(list)
    for visit in Visit.objects.filter(source="demo").only("id", "patient_id", "service_id", "starts_at", "status",
                                                          "value", "location_id"):
        visits_by_patient[visit.patient_id].append(visit)
    for rows in visits_by_patient.values():
        rows.sort(key=lambda v: v.starts_at)
    patients = list(Patient.objects.filter(external_id__startswith="DEMO-", id__in=list(visits_by_patient))
                    .order_by("id").only("id", "location_id"))
    rng.shuffle(patients)

    members = _memberships(rng, today, plans, patients[:250], visits_by_patient)
    _ledger(rng, today, members, visits_by_patient, services, owner, staff)
    used_visits = {e.visit_id for e in CreditLedgerEntry.objects.filter(kind="redemption").only("visit_id")}
    n_bundles = _bundles(rng, today, services, patients[250:], visits_by_patient, used_visits, staff)
    n_deposits = _deposits(rng, today, patients, visits_by_patient, owner, staff)
    out.write(f"  {len(members)} memberships, {n_bundles} bundles, {n_deposits} deposits")


def _memberships(rng, today, plans, patients, visits_by_patient):
    members = []
    for patient in patients:
        plan = rng.choices(plans, weights=[55, 30, 15])[0]
        started = today - timedelta(days=rng.randrange(183, 548))
        status = rng.choices([Status.ACTIVE, Status.PAST_DUE, Status.FROZEN, Status.CANCELLED, Status.ENDED],
                             weights=[76, 7, 5, 7, 5])[0]
        members.append(Membership(patient_id=patient.id, plan=plan, location_id=patient.location_id, status=status,
                                  started_on=started, next_renewal_on=started))
    return members


def _ledger(rng, today, members, visits_by_patient, services, owner, staff):
    """Walk each membership month by month; write accruals, redemptions, expiries and status history."""
    plan_service = {m.plan.pk: m.plan.credit_service_id for m in members}
    accruals, events, changes = [], [], []  # events: (membership, kind, amount, day, visit|source, reason)
    for m in members:
        plan = m.plan
        end = today
        if m.status == Status.ENDED:
            end = today - timedelta(days=rng.randrange(20, 120))
        cycle = m.started_on
        lots = []  # [entry, remaining]
        member_visits = [v for v in visits_by_patient[m.patient_id] if v.status == "completed"
                         and (plan_service[plan.pk] is None or v.service_id == plan_service[plan.pk])]
        while cycle <= end:
            if m.status == Status.PAST_DUE and renewal_after(m.started_on, cycle) > today:
                break  # this cycle's payment failed: its credits are withheld
            next_cycle = renewal_after(m.started_on, cycle)
            for lot in lots:  # expiry by rule at the start of the day
                if lot[1] > 0 and lot[0].expires_on and lot[0].expires_on <= cycle:
                    events.append((m, Kind.EXPIRY, -lot[1], lot[0].expires_on, lot[0], "Unused credit expired"))
                    lot[1] = Decimal("0")
            entry = CreditLedgerEntry(
                membership=m, kind=Kind.ACCRUAL, amount=plan.credits_per_cycle, service=plan.credit_service,
                cycle=cycle, expires_on=plan.credit_expiry_for(cycle, anchor=m.started_on), created_at=_at(cycle),
                reason=f"{plan.name}: cycle starting {cycle:%b %-d, %Y}",
            )
            accruals.append(entry)
            lots.append([entry, plan.credits_per_cycle])
            for visit in member_visits:
                day = visit.starts_at.date()
                if not (cycle <= day < next_cycle) or day > end:
                    continue
                balance = sum(lot[1] for lot in lots if not lot[0].expires_on or lot[0].expires_on > day)
                if balance <= 0:
                    continue
                want = Decimal(rng.choice((20, 12, 40))) if plan.is_units else min(
                    Decimal(visit.value), Decimal(rng.choice((50, 100, 150, 200, 300))))
                amount = min(want, balance)
                events.append((m, Kind.REDEMPTION, -amount, day, visit, f"Visit on {day:%b %-d, %Y}"))
                live = [lot for lot in lots if not lot[0].expires_on or lot[0].expires_on > day]
                for lot in sorted(live, key=lambda lot: lot[0].expires_on or date.max):
                    take = min(lot[1], amount)
                    lot[1] -= take
                    amount -= take
            cycle = next_cycle
        m.next_renewal_on = cycle
        changes.append(MembershipStatusChange(membership=m, from_status="", to_status=Status.ACTIVE,
                                              effective_on=m.started_on, note=f"Joined {plan}",
                                              changed_by=rng.choice(staff), changed_at=_at(m.started_on)))
        _final_status(rng, today, m, end, changes, staff, owner)

    Membership.objects.bulk_create(members, batch_size=500)
    for change in changes:
        change.membership_id = change.membership.pk
    MembershipStatusChange.objects.bulk_create(changes, batch_size=1000)
    for entry in accruals:
        entry.membership_id = entry.membership.pk
    CreditLedgerEntry.objects.bulk_create(accruals, batch_size=1000)
    rows = []
    for m, kind, amount, day, ref, reason in events:
        rows.append(CreditLedgerEntry(
            membership_id=m.pk, kind=kind, amount=amount, created_at=_at(day) + timedelta(hours=1), reason=reason,
            service_id=ref.service_id,
            visit_id=ref.pk if kind == Kind.REDEMPTION else None,
            source_id=ref.pk if kind == Kind.EXPIRY else None,
            created_by=rng.choice(staff) if kind == Kind.REDEMPTION else None,
        ))
    CreditLedgerEntry.objects.bulk_create(rows, batch_size=1000)


def _final_status(rng, today, m, end, changes, staff, owner):
    def change(from_status, to_status, on, note, **data):
        changes.append(MembershipStatusChange(membership=m, from_status=from_status, to_status=to_status,
                                              effective_on=on, note=note, data=data, changed_at=_at(on),
                                              changed_by=rng.choice(staff)))

    if m.status == Status.PAST_DUE:
        change(Status.ACTIVE, Status.PAST_DUE, m.next_renewal_on, "Card declined at renewal")
    elif m.status == Status.FROZEN:
        on = today - timedelta(days=rng.randrange(1, 25))
        months = rng.choice((1, 1, 2)) if m.plan.max_freeze_months_per_year >= 2 else 1
        m.freeze_ends_on = add_months(on, months)
        m.next_renewal_on = renewal_after(m.started_on, m.next_renewal_on, months)
        change(Status.ACTIVE, Status.FROZEN, on, "Travelling", months=months)
    elif m.status in (Status.CANCELLED, Status.ENDED):
        requested = (today if m.status == Status.CANCELLED else end) - timedelta(days=rng.randrange(1, 20))
        requested = max(requested, m.started_on)
        m.cancellation_requested_on = requested
        m.cancellation_effective_on = m.cancellation_effective_date(requested)
        if m.status == Status.ENDED:
            m.cancellation_effective_on = end
        change(Status.ACTIVE, Status.CANCELLED, requested, rng.choice(("Moving away", "Budget", "Not using it")))
        if m.status == Status.ENDED:
            changes[-1].changed_by = owner
            change(Status.CANCELLED, Status.ENDED, end, "Cancellation took effect")
            changes[-1].changed_by = None


def _bundles(rng, today, services, patients, visits_by_patient, used_visits, staff):
    bundles, redemptions = [], []
    candidates = defaultdict(list)
    for patient in patients:
        for visit in visits_by_patient[patient.id]:
            candidates[visit.service_id].append(patient)
    for name, sessions, price in BUNDLES:
        service = services[name]
        pool = list(dict.fromkeys(candidates[service.id]))
        rng.shuffle(pool)
        for patient in pool[:50]:
            visits = [v for v in visits_by_patient[patient.id] if v.service_id == service.id
                      and v.status == "completed" and v.pk not in used_visits]
            if visits and rng.random() < 0.85:
                bought = visits[rng.randrange(len(visits))].starts_at.date() - timedelta(days=rng.randrange(0, 10))
            else:
                bought = today - timedelta(days=rng.randrange(5, 200))
            bundle = Bundle(patient_id=patient.id, service=service, location_id=patient.location_id,
                            sessions_purchased=sessions, price_paid=price, purchased_on=bought,
                            expires_on=bought + timedelta(days=365), created_by=rng.choice(staff))
            bundles.append(bundle)
            usable = [v for v in visits if bought <= v.starts_at.date() <= bundle.expires_on][:sessions]
            for visit in usable:
                used_visits.add(visit.pk)
                redemptions.append((bundle, visit))
    Bundle.objects.bulk_create(bundles, batch_size=500)
    BundleRedemption.objects.bulk_create(
        [BundleRedemption(bundle_id=b.pk, visit_id=v.pk, at=v.starts_at + timedelta(hours=1)) for b, v in redemptions],
        batch_size=1000,
    )
    return len(bundles)


def _deposits(rng, today, patients, visits_by_patient, owner, staff):
    deposits = []
    # Some held deposits are for an upcoming event at the patient's location (the calls app seeded them).
    events = defaultdict(list)
    for event in Event.objects.filter(starts_at__date__gte=today).order_by("starts_at"):
        events[event.location_id].append(event.pk)
    for patient in patients:
        if len(deposits) >= 40:
            break
        booked = [v for v in visits_by_patient[patient.id] if v.status == "booked"]
        if not booked:
            continue
        visit = booked[0]
        nearby = events[patient.location_id]
        event_id = rng.choice(nearby) if nearby and rng.random() < 0.3 else None
        deposits.append(Deposit(patient_id=patient.id, location_id=patient.location_id, visit_id=visit.pk,
                                amount=Decimal(rng.choice((50, 100, 100, 200))), taken_on=today - timedelta(
                                    days=rng.randrange(1, 14)), created_by=rng.choice(staff), event_id=event_id))
    # A few already settled: applied to completed visits, one refunded, one forfeited.
    for patient in patients[::40][:6]:
        done = [v for v in visits_by_patient[patient.id] if v.status in ("completed", "no_show")]
        if not done:
            continue
        visit = done[-1]
        status = {"completed": Deposit.Status.APPLIED, "no_show": Deposit.Status.FORFEITED}[visit.status]
        deposits.append(Deposit(patient_id=patient.id, location_id=patient.location_id, visit_id=visit.pk,
                                amount=Decimal("100"), status=status, taken_on=visit.starts_at.date() - timedelta(
                                    days=7), settled_at=visit.starts_at + timedelta(hours=2),
                                settled_by=owner if status == Deposit.Status.FORFEITED else rng.choice(staff),
                                note="No-show" if status == Deposit.Status.FORFEITED else ""))
    Deposit.objects.bulk_create(deposits)
    return len(deposits)
