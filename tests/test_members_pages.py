"""Members list and member page: filters, search, balances in one query, scoping, actions."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import PatientFactory, VisitFactory
from members_factories import PlanFactory, start_membership

from members import ledger
from members.models import Membership

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)  # Mar 10, noon in Los Angeles
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def roster(westside, downtown, alice):
    """Four Westside members in different situations and one Downtown member."""
    plan = PlanFactory()
    renewing = start_membership(PatientFactory(first_name="Rene", last_name="Newell", location=westside), plan,
                                started_on=dt.date(2026, 1, 14))  # renews Mar 14
    late = start_membership(PatientFactory(first_name="Pat", last_name="Dueson", location=westside), plan,
                            started_on=dt.date(2026, 2, 1))
    late.mark_past_due(by=alice)
    quiet = start_membership(PatientFactory(first_name="Quinn", last_name="Idle", location=westside), plan,
                             started_on=dt.date(2026, 2, 25))  # renews Mar 25: $100 expiring then
    spent = start_membership(PatientFactory(first_name="Sam", last_name="Spender", location=westside), plan,
                             started_on=dt.date(2026, 2, 26))
    ledger.redeem(spent, 100, VisitFactory(patient=spent.patient), by=alice)
    far = start_membership(PatientFactory(first_name="Dana", last_name="Faraway", location=downtown), plan,
                           started_on=dt.date(2026, 2, 20))
    return {"renewing": renewing, "late": late, "quiet": quiet, "spent": spent, "far": far}


def names(response):
    body = response.content.decode()
    return {n for n in ("Rene Newell", "Pat Dueson", "Quinn Idle", "Sam Spender", "Dana Faraway") if n in body}


def test_list_shows_own_locations_with_balance_and_renewal(alice_client, roster):
    response = alice_client.get(reverse("members:list"))
    assert response.status_code == 200
    assert names(response) == {"Rene Newell", "Pat Dueson", "Quinn Idle", "Sam Spender"}
    body = response.content.decode()
    assert "$100.00" in body and "$0.00" in body and "Mar 14, 2026" in body


def test_list_filters(alice_client, roster):
    url = reverse("members:list")
    assert names(alice_client.get(url, {"show": "past_due"})) == {"Pat Dueson"}
    assert names(alice_client.get(url, {"show": "renewing"})) == {"Rene Newell"}
    # Credits expiring within 30 days: everyone with unspent credit on a no-rollover plan; not Sam (spent).
    assert names(alice_client.get(url, {"show": "expiring"})) == {"Rene Newell", "Pat Dueson", "Quinn Idle"}


def test_list_search_and_htmx_partial(alice_client, roster):
    response = alice_client.get(reverse("members:list"), {"q": "quinn"}, HTTP_HX_REQUEST="true",
                                HTTP_HX_TARGET="member-rows")
    assert names(response) == {"Quinn Idle"}
    assert "<html" not in response.content.decode()


def test_list_computes_balances_in_one_query(alice_client, roster, westside):
    for i in range(6):
        start_membership(PatientFactory(first_name=f"Extra{i}", location=westside), started_on=TODAY)
    alice_client.get(reverse("members:list"))  # warm session/user caches
    with CaptureQueriesContext(connection) as few:
        alice_client.get(reverse("members:list"))
    for i in range(6, 16):
        start_membership(PatientFactory(first_name=f"Extra{i}", location=westside), started_on=TODAY)
    with CaptureQueriesContext(connection) as many:
        alice_client.get(reverse("members:list"))
    assert len(many) == len(few)


def test_other_locations_membership_is_404(alice_client, client, bob, roster):
    far = roster["far"]
    assert alice_client.get(reverse("members:detail", args=[far.pk])).status_code == 404
    assert alice_client.post(reverse("members:action", args=[far.pk, "past_due"])).status_code == 404
    client.force_login(bob)
    assert client.get(reverse("members:detail", args=[roster["quiet"].pk])).status_code == 404


def test_list_and_detail_need_login(client, roster):
    for url in (reverse("members:list"), reverse("members:detail", args=[roster["quiet"].pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_member_page_shows_ledger_and_cancellation_deadline(alice_client, roster):
    membership = roster["spent"]
    body = alice_client.get(reverse("members:detail", args=[membership.pk])).content.decode()
    assert "Used at visit" in body and "-$100.00" in body and "Monthly credits" in body
    # Minimum term 3 months from Feb 26 -> May 26; notice 30 days -> cancel by Apr 26.
    assert "cancel by <strong>Apr 26, 2026</strong>" in body


def test_cancel_from_member_page_computes_the_end_date(alice_client, alice, roster):
    membership = roster["renewing"]  # started Jan 14, min term to Apr 14, renews monthly on the 14th
    response = alice_client.post(reverse("members:action", args=[membership.pk, "cancel"]),
                                 {"requested_on": "2026-03-10", "note": "Moving away"}, follow=True)
    membership.refresh_from_db()
    # 30 days' notice from Mar 10 = Apr 9; min term ends Apr 14 -> first renewal on/after both: Apr 14.
    assert membership.status == "cancelled" and membership.cancellation_effective_on == dt.date(2026, 4, 14)
    assert "ends on Apr 14, 2026" in response.content.decode()
    change = membership.status_changes.first()
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "active", "cancelled", alice, "Moving away")


def test_freeze_and_unfreeze_from_member_page(alice_client, roster):
    membership = roster["quiet"]
    alice_client.post(reverse("members:action", args=[membership.pk, "freeze"]), {"months": 1})
    membership.refresh_from_db()
    assert membership.status == "frozen" and membership.next_renewal_on == dt.date(2026, 4, 25)
    response = alice_client.post(reverse("members:action", args=[membership.pk, "freeze"]), {"months": 1},
                                 follow=True)
    assert "cannot be frozen" in response.content.decode()
    alice_client.post(reverse("members:action", args=[membership.pk, "unfreeze"]))
    membership.refresh_from_db()
    # Thawed the same day: the whole unused month is given back.
    assert membership.status == "active" and membership.next_renewal_on == dt.date(2026, 3, 25)


def test_adjustment_form_is_owner_only_and_needs_reason(alice_client, client, olivia, roster):
    membership = roster["quiet"]
    url = reverse("members:adjust", args=[membership.pk])
    assert alice_client.post(url, {"amount": "20", "reason": "goodwill"}).status_code == 403
    client.force_login(olivia)
    response = client.post(url, {"amount": "20", "reason": ""})
    assert response.status_code == 400 and "Give a reason" in response.content.decode()
    client.post(url, {"amount": "20", "reason": "Goodwill"})
    assert membership.balance() == Decimal("120.00")


def test_redeem_credits_from_member_page_refuses_overdraw(alice_client, roster):
    membership = roster["quiet"]
    visit = VisitFactory(patient=membership.patient, starts_at=NOW - dt.timedelta(days=1))
    response = alice_client.post(reverse("members:redeem", args=[membership.pk]),
                                 {"visit": visit.pk, "amount": "250"})
    assert response.status_code == 400
    assert "Not enough credit: Quinn has $100.00 and this needs $250.00." in response.content.decode()
    alice_client.post(reverse("members:redeem", args=[membership.pk]), {"visit": visit.pk, "amount": "40"})
    assert membership.balance() == Decimal("60.00")


def test_patient_page_shows_membership_and_enrols(alice_client, patient):
    PlanFactory()
    page = alice_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Not a member" in page and "Start a membership" in page
    plan = PlanFactory()
    response = alice_client.post(reverse("members:start", args=[patient.pk]),
                                 {"plan": plan.pk, "started_on": "2026-03-10"})
    membership = Membership.objects.get(patient=patient)
    assert response.url == reverse("members:detail", args=[membership.pk])
    page = alice_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Glow Club" in page and "$100.00" in page and "Apr 10, 2026" in page


def test_owner_edits_plans_and_coordinator_cannot(alice_client, client, olivia):
    assert alice_client.get(reverse("members:plans")).status_code == 403
    client.force_login(olivia)
    response = client.post(reverse("members:plan_new"), {
        "name": "VIP", "monthly_fee": "299", "credit_kind": "money", "credits_per_cycle": "300",
        "member_discount_percent": "15", "rollover_cycles": "1", "expiry_rule": "cycle_end",
        "minimum_term_months": "6", "cancellation_notice_days": "30", "max_freeze_months_per_year": "2",
        "is_active": "on",
    })
    assert response.status_code == 302
    assert "VIP" in client.get(reverse("members:plans")).content.decode()
    bad = client.post(reverse("members:plan_new"), {
        "name": "Units", "monthly_fee": "149", "credit_kind": "service_units", "credits_per_cycle": "20",
        "member_discount_percent": "0", "rollover_cycles": "0", "expiry_rule": "cycle_end",
        "minimum_term_months": "0", "cancellation_notice_days": "30", "max_freeze_months_per_year": "0",
    })
    assert "Unit credits need the service" in bad.content.decode()
