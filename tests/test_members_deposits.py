"""Deposits: held -> applied (staff), refunded/forfeited (owner, with a reason); audited; scoped."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from factories import VisitFactory
from members_factories import DepositFactory

from calls.models import Event
from medspa.models import AuditLog
from members.models import Deposit

pytestmark = pytest.mark.django_db


def test_apply_to_visit(patient, alice):
    deposit = DepositFactory(patient=patient)
    visit = VisitFactory(patient=patient, status="booked")
    deposit.apply(by=alice, visit=visit)
    deposit.refresh_from_db()
    assert (deposit.status, deposit.visit, deposit.settled_by) == ("applied", visit, alice)
    assert AuditLog.objects.filter(action="deposit.applied", actor=alice).exists()
    with pytest.raises(ValidationError, match="already applied"):
        deposit.apply(by=alice, visit=visit)


def test_refund_and_forfeit_are_owner_only_with_reason(patient, alice, olivia):
    deposit = DepositFactory(patient=patient)
    with pytest.raises(PermissionDenied):
        deposit.refund(by=alice, note="asked")
    with pytest.raises(ValidationError, match="Say why"):
        deposit.forfeit(by=olivia, note="")
    deposit.forfeit(by=olivia, note="No-show at the VIP night")
    deposit.refresh_from_db()
    assert deposit.status == "forfeited" and deposit.note == "No-show at the VIP night"
    with pytest.raises(ValidationError, match="already forfeited"):
        deposit.refund(by=olivia, note="changed mind")


def test_deposit_pages(alice_client, client, olivia, patient):
    visit = VisitFactory(patient=patient, status="booked")
    starts = timezone.now() + dt.timedelta(days=10)
    event = Event.objects.create(location=patient.location, name="VIP Night", kind="vip_night", starts_at=starts,
                                 ends_at=starts + dt.timedelta(hours=3))
    alice_client.post(reverse("members:deposit_add", args=[patient.pk]),
                      {"amount": "75", "taken_on": "2026-03-10", "visit": visit.pk, "event": event.pk})
    deposit = Deposit.objects.get(patient=patient)
    assert (deposit.status, deposit.event, deposit.created_by.username) == ("held", event, "alice")
    page = alice_client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "$75.00" in page and "Apply to visit" in page and "Refund" not in page
    assert "VIP Night" in page
    assert alice_client.post(reverse("members:deposit_action", args=[deposit.pk, "refund"]),
                             {"note": "x"}).status_code == 403
    deposit.refresh_from_db()
    assert deposit.status == "held"
    client.force_login(olivia)
    client.post(reverse("members:deposit_action", args=[deposit.pk, "refund"]), {"note": "Cancelled in time"})
    deposit.refresh_from_db()
    assert deposit.status == "refunded"


def test_other_locations_deposit_is_404(client, bob, patient):
    deposit = DepositFactory(patient=patient)
    client.force_login(bob)
    assert client.post(reverse("members:deposit_action", args=[deposit.pk, "apply"])).status_code == 404
