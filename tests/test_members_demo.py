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
    # Lot by lot, no remainder is negative and no bundle is over-used.
    for membership in random.Random(1).sample(list(memberships), 20):
        assert all(remaining >= 0 for _, remaining in ledger.lot_remainders(membership))
    assert not Bundle.objects.with_remaining().filter(remaining__lt=0).exists()
    assert Bundle.objects.annotate(n=Count("redemptions")).filter(n__gt=0).exists()
    assert Deposit.objects.filter(status="held").exists()
