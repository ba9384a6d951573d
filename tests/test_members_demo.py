"""The members demo data is consistent with the app's own rules."""

import io
import random

import pytest
from django.core.management import call_command
from django.db.models import Count

from members import ledger
from members.models import Bundle, Deposit, Membership

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_consistent_members_data():
    call_command("seed_demo", "--patients", "600", "--seed", "7", stdout=io.StringIO())
    memberships = Membership.objects.with_balance()
    assert memberships.count() > 100
    assert not memberships.filter(balance__lt=0).exists()
    statuses = set(memberships.values_list("status", flat=True))
    assert {"active", "past_due", "frozen", "cancelled"} <= statuses
    # The unexpired lots account for the whole balance (no credit without a lot, no lot spent twice),
    # and no bundle is over-used.
    for membership in random.Random(1).sample(list(memberships), 20):
        assert sum(remaining for _, remaining in ledger.lot_remainders(membership)) == membership.balance
    assert not Bundle.objects.with_remaining().filter(remaining__lt=0).exists()
    assert Bundle.objects.annotate(n=Count("redemptions")).filter(n__gt=0).exists()
    assert Deposit.objects.filter(status="held").exists()
