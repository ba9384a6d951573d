from django.db import migrations


def claim_tracking_numbers(apps, schema_editor):
    """Claim every event's tracking number. One already used by a location, or by an earlier event, is
    cleared on this event (its calls would have been routed elsewhere anyway), with an audit row."""
    Event = apps.get_model("calls", "Event")
    Claim = apps.get_model("medspa", "PhoneNumberClaim")
    AuditLog = apps.get_model("medspa", "AuditLog")
    for event in Event.objects.exclude(tracking_number="").select_related("location").order_by("id"):
        holder, number = f"event:{event.pk}", str(event.tracking_number)
        other = Claim.objects.filter(number=number).exclude(holder=holder).first()
        if other is not None:
            AuditLog.objects.create(
                action="phone_number.duplicate_cleared", location=event.location, object_repr=event.name,
                object_id=str(event.pk), data={"field": "tracking_number", "number": number,
                                               "kept_by": other.holder_name})
            Event.objects.filter(pk=event.pk).update(tracking_number="")
            continue
        Claim.objects.get_or_create(number=number, holder=holder,
                                    defaults={"holder_name": f"event {event.name}", "location": event.location})


class Migration(migrations.Migration):

    dependencies = [
        ("calls", "0001_initial"),
        ("medspa", "0006_phone_number_claims"),
    ]

    operations = [migrations.RunPython(claim_tracking_numbers, migrations.RunPython.noop)]
