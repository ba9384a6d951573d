"""Each routed phone number belongs to one location or event, by database constraint; the event
takeover (another location's id, another location's number as tracking number) is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from factories import UserFactory

from calls.models import Event
from medspa.models import AuditLog, Location, PhoneNumberClaim

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam_client(client, downtown):
    client.force_login(UserFactory(username="sam", role="owner", locations=[downtown]))
    return client


def event_post(location, **changes):
    return {"location": location.pk, "name": "Spring VIP Night", "kind": "vip_night",
            "starts_at": "2030-04-12T18:00", "ends_at": "2030-04-12T21:00", **changes}


def test_event_takeover_with_another_locations_id_is_refused(sam_client, westside):
    westside.voice_number = "+14155550101"
    westside.save()
    response = sam_client.post(reverse("calls:event_new"), event_post(westside, tracking_number="+14155550101"))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Event.objects.exists()


def test_event_takeover_with_another_locations_number_is_refused(sam_client, westside, downtown):
    westside.voice_number = "+14155550101"
    westside.save()
    for number in ("+14155550101", str(westside.sms_number), str(westside.phone)):
        response = sam_client.post(reverse("calls:event_new"), event_post(downtown, tracking_number=number))
        assert response.status_code == 400
        assert "already used by Westside Aesthetics" in response.content.decode()
    assert not Event.objects.exists()
    assert PhoneNumberClaim.objects.get(number="+14155550101").location == westside


def test_a_tracking_number_is_free_again_once_its_event_is_gone(owner_client, westside):
    owner_client.post(reverse("calls:event_new"), event_post(westside, tracking_number="+14155550188"))
    event = Event.objects.get()
    event.delete()
    owner_client.post(reverse("calls:event_new"), event_post(westside, name="Again", tracking_number="+14155550188"))
    assert Event.objects.get().name == "Again"


def test_the_database_refuses_a_second_holder(westside, downtown):
    with pytest.raises(ValidationError), transaction.atomic():
        downtown.sms_number = westside.sms_number
        downtown.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        PhoneNumberClaim.objects.create(number=westside.sms_number, holder=f"location:{downtown.pk}",
                                        location=downtown)
    assert PhoneNumberClaim.objects.get(number=westside.sms_number).location == westside


def test_migration_keeps_the_first_holder_and_clears_duplicates():
    """Locations and events that shared a number before the constraint: the earliest keeps it, the others
    lose it with an audit row an owner can read."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before = [("medspa", "0005_inbox_open_indexes"), ("calls", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldLocation, OldEvent = old.get_model("medspa", "Location"), old.get_model("calls", "Event")
    first = OldLocation.objects.create(name="First", slug="first", voice_number="+14805550101",
                                       sms_number="+14805550100")
    second = OldLocation.objects.create(name="Second", slug="second", voice_number="+14805550101",
                                        sms_number="+14805550200")
    from django.utils import timezone

    now = timezone.now()
    clash = OldEvent.objects.create(location=second, name="Clash", kind="open_house", starts_at=now, ends_at=now,
                                    tracking_number="+14805550100")
    fine = OldEvent.objects.create(location=second, name="Fine", kind="open_house", starts_at=now, ends_at=now,
                                   tracking_number="+14805550300")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    first_now, second_now = Location.objects.get(pk=first.pk), Location.objects.get(pk=second.pk)
    assert str(first_now.voice_number) == "+14805550101" and str(second_now.voice_number) == ""
    assert str(second_now.sms_number) == "+14805550200"
    assert str(Event.objects.get(pk=clash.pk).tracking_number) == ""
    assert str(Event.objects.get(pk=fine.pk).tracking_number) == "+14805550300"
    holders = dict(PhoneNumberClaim.objects.values_list("number", "holder"))
    assert holders["+14805550101"] == f"location:{first.pk}" and holders["+14805550300"] == f"event:{fine.pk}"
    cleared = AuditLog.objects.filter(action="phone_number.duplicate_cleared")
    assert {(row.object_repr, row.data["field"]) for row in cleared} == {("Second", "voice_number"),
                                                                         ("Clash", "tracking_number")}
