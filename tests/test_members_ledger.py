"""The credit ledger: accrual once per cycle, expiry by rule, refused overdraw, owner adjustments,
and rows that cannot be changed."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from factories import VisitFactory, service
from members_factories import PlanFactory, start_membership, tox_plan

from medspa.models import AuditLog
from members import ledger
from members.models import CreditLedgerEntry, LedgerImmutable, MembershipPlan

pytestmark = pytest.mark.django_db

# 8 p.m. UTC is midday in Los Angeles: the local date is the UTC date.
MAR_10 = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)


def kinds(membership):
    return list(membership.ledger.order_by("created_at", "id").values_list("kind", "amount"))


@time_machine.travel(MAR_10, tick=False)
def test_joining_grants_the_first_cycle_and_sets_next_renewal(patient):
    membership = start_membership(patient, started_on=dt.date(2026, 3, 10))
    assert membership.balance() == Decimal("100.00")
    assert membership.next_renewal_on == dt.date(2026, 4, 10)
    entry = membership.ledger.get()
    assert (entry.kind, entry.cycle, entry.expires_on) == ("accrual", dt.date(2026, 3, 10), dt.date(2026, 4, 10))


def test_accrual_twice_in_one_cycle_accrues_once(patient):
    with time_machine.travel(MAR_10, tick=False):
        membership = start_membership(patient, started_on=dt.date(2026, 3, 10))
        assert ledger.accrue_due(membership, dt.date(2026, 3, 10)).granted == 0
    later = dt.date(2026, 4, 12)
    first = ledger.accrue_due(membership, later)
    second = ledger.accrue_due(membership, later)
    assert (first.granted, second.granted) == (1, 0)
    assert membership.ledger.filter(kind="accrual").count() == 2
    membership.refresh_from_db()
    assert membership.next_renewal_on == dt.date(2026, 5, 10)


def test_database_refuses_a_second_accrual_for_the_same_cycle(patient):
    with time_machine.travel(MAR_10, tick=False):
        membership = start_membership(patient, started_on=dt.date(2026, 3, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditLedgerEntry.objects.create(membership=membership, kind="accrual", amount=100, cycle=dt.date(2026, 3, 10))


def test_month_end_members_renew_on_the_last_day_without_drifting(patient):
    with time_machine.travel(dt.datetime(2026, 1, 31, 20, tzinfo=dt.UTC), tick=False):
        membership = start_membership(patient, started_on=dt.date(2026, 1, 31))
    ledger.accrue_due(membership, dt.date(2026, 4, 1))
    cycles = list(membership.ledger.order_by("cycle").values_list("cycle", flat=True))
    assert cycles == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]


def test_unused_credit_expires_at_cycle_end_without_rollover(patient):
    with time_machine.travel(MAR_10, tick=False):
        membership = start_membership(patient, started_on=dt.date(2026, 3, 10))
        visit = VisitFactory(patient=patient, starts_at=MAR_10)
        ledger.redeem(membership, Decimal("30"), visit, by=None)
    # Apr 10: the new cycle's $100 arrives and the $70 left of March expires.
    ledger.accrue_due(membership, dt.date(2026, 4, 10))
    assert ledger.expire_due(membership, dt.date(2026, 4, 10)) == Decimal("70.00")
    assert ledger.expire_due(membership, dt.date(2026, 4, 10)) == 0  # rerun: nothing twice
    assert membership.balance() == Decimal("100.00")
    expiry = membership.ledger.get(kind="expiry")
    assert expiry.amount == Decimal("-70.00") and expiry.source.cycle == dt.date(2026, 3, 10)


def test_rollover_keeps_credit_for_the_extra_cycles_then_expires_it(patient):
    plan = PlanFactory(name="Glow Rollover", rollover_cycles=1)
    with time_machine.travel(MAR_10, tick=False):
        membership = start_membership(patient, plan, started_on=dt.date(2026, 3, 10))
    ledger.accrue_due(membership, dt.date(2026, 4, 10))
    assert ledger.expire_due(membership, dt.date(2026, 4, 10)) == 0
    assert membership.balance() == Decimal("200.00")
    ledger.accrue_due(membership, dt.date(2026, 5, 10))
    assert ledger.expire_due(membership, dt.date(2026, 5, 10)) == Decimal("100.00")
    assert membership.balance() == Decimal("200.00")


def test_days_after_accrual_rule_and_spending_oldest_credit_first(patient):
    plan = PlanFactory(name="Glow 45", expiry_rule=MembershipPlan.ExpiryRule.DAYS_AFTER_ACCRUAL,
                       credit_expiry_days=45)
    with time_machine.travel(MAR_10, tick=False):
        membership = start_membership(patient, plan, started_on=dt.date(2026, 3, 10))
    ledger.accrue_due(membership, dt.date(2026, 4, 10))  # $100 expiring Apr 24, $100 expiring May 25
    with time_machine.travel(dt.datetime(2026, 4, 20, 20, tzinfo=dt.UTC), tick=False):
        ledger.redeem(membership, Decimal("120"), VisitFactory(patient=patient), by=None)
    # The $120 used all of March's lot and $20 of April's: nothing of March's is left to expire.
    assert ledger.expire_due(membership, dt.date(2026, 4, 24)) == 0
    assert ledger.expire_due(membership, dt.date(2026, 5, 25)) == Decimal("80.00")
    assert membership.balance() == 0


def test_redemption_larger_than_balance_is_refused_with_the_balance(patient):
    with time_machine.travel(MAR_10, tick=False):
        membership = start_membership(patient, started_on=dt.date(2026, 3, 10))
        with pytest.raises(ledger.InsufficientCredit) as refused:
            ledger.redeem(membership, Decimal("150"), VisitFactory(patient=patient), by=None)
    assert refused.value.messages == ["Not enough credit: Jordan has $100.00 and this needs $150.00."]
    assert membership.balance() == Decimal("100.00")
    assert not membership.ledger.filter(kind="redemption").exists()


def test_unit_credits_only_for_their_service_and_message_in_units(patient):
    with time_machine.travel(MAR_10, tick=False):
        membership = start_membership(patient, tox_plan(), started_on=dt.date(2026, 3, 10))
        facial = VisitFactory(patient=patient, service=service("HydraFacial"))
        with pytest.raises(ValidationError, match="Neurotoxin units; this visit is HydraFacial"):
            ledger.redeem(membership, 5, facial, by=None)
        with pytest.raises(ledger.InsufficientCredit, match="has 20 Neurotoxin units and this needs 24"):
            ledger.redeem(membership, 24, VisitFactory(patient=patient), by=None)
        ledger.redeem(membership, 12, VisitFactory(patient=patient), by=None)
    assert membership.balance() == 8


def test_the_same_visit_cannot_spend_credit_twice(patient):
    with time_machine.travel(MAR_10, tick=False):
        membership = start_membership(patient, started_on=dt.date(2026, 3, 10))
        visit = VisitFactory(patient=patient)
        ledger.redeem(membership, 10, visit, by=None)
        with pytest.raises(ValidationError, match="already used"):
            ledger.redeem(membership, 10, visit, by=None)


def test_frozen_membership_cannot_spend(patient, alice):
    with time_machine.travel(MAR_10, tick=False):
        membership = start_membership(patient, started_on=dt.date(2026, 3, 10))
        membership.freeze(by=alice, months=1)
        with pytest.raises(ValidationError, match="while the membership is frozen"):
            ledger.redeem(membership, 10, VisitFactory(patient=patient), by=alice)


def test_adjustment_is_owner_only_and_needs_a_reason(patient, alice, olivia):
    with time_machine.travel(MAR_10, tick=False):
        membership = start_membership(patient, started_on=dt.date(2026, 3, 10))
    with pytest.raises(PermissionDenied):
        ledger.adjust(membership, 25, "goodwill", by=alice)
    with pytest.raises(ValidationError, match="Give a reason"):
        ledger.adjust(membership, 25, "   ", by=olivia)
    with pytest.raises(ledger.InsufficientCredit):
        ledger.adjust(membership, -125, "charged twice", by=olivia)
    ledger.adjust(membership, 25, "Goodwill after a late start", by=olivia)
    assert membership.balance() == Decimal("125.00")
    entry = membership.ledger.get(kind="adjustment")
    assert entry.created_by == olivia and entry.reason == "Goodwill after a late start"
    assert AuditLog.objects.filter(action="credits.adjusted", actor=olivia).exists()


def test_ledger_rows_cannot_be_updated_or_deleted(patient):
    with time_machine.travel(MAR_10, tick=False):
        membership = start_membership(patient, started_on=dt.date(2026, 3, 10))
    entry = membership.ledger.get()
    entry.amount = Decimal("1000")
    with pytest.raises(LedgerImmutable):
        entry.save()
    with pytest.raises(LedgerImmutable):
        entry.delete()
    with pytest.raises(LedgerImmutable):
        CreditLedgerEntry.objects.filter(pk=entry.pk).update(amount=1000)
    with pytest.raises(LedgerImmutable):
        CreditLedgerEntry.objects.filter(pk=entry.pk).delete()
    # And below the ORM, the database itself refuses.
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE members_creditledgerentry SET amount = 1000 WHERE id = %s", [entry.pk])
    assert membership.balance() == Decimal("100.00")
