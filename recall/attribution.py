"""Recovered visits: a visit completed or booked within 30 days after a touch.

A touch is a text, an email or a call logged from the call list (Touch.channel); the attribution
keeps the channel, so the recall page can say what brought each visit back.

Which visits a touch can recover: a recall touch, a visit for its schedule's service; a bundle
touch, a visit for the bundle's service; a renewal or expiring-credits touch, any visit (Touch.service
is empty). When several touches qualify, one for the visit's own service wins over a general one,
then the latest.
"""

from datetime import timedelta

from django.db.models import F, Q

from medspa.models import Visit

from .models import Attribution, Touch

ATTRIBUTION_WINDOW = timedelta(days=30)
COUNTED = (Visit.Status.COMPLETED, Visit.Status.BOOKED)


def attribute(visit: Visit) -> Attribution | None:
    """Link `visit` to the latest touch sent in the 30 days before it was booked or completed."""
    if visit.status not in COUNTED:
        Attribution.objects.filter(visit=visit).delete()
        return None
    existing = Attribution.objects.filter(visit=visit).first()
    if existing is not None:
        if existing.value != visit.value or existing.visit_at != visit.starts_at:
            existing.value, existing.visit_at = visit.value, visit.starts_at
            existing.save(update_fields=["value", "visit_at"])
        return existing
    # A booking is recovered when it was made after the touch; a walk-in completed visit when it happened.
    moment = visit.created_at if visit.status == Visit.Status.BOOKED else min(visit.starts_at, visit.created_at)
    if visit.status == Visit.Status.COMPLETED and visit.source == Visit.Source.IMPORT:
        moment = visit.starts_at
    touch = (
        Touch.objects.filter(patient_id=visit.patient_id, sent_at__isnull=False, sent_at__lte=moment,
                             sent_at__gte=moment - ATTRIBUTION_WINDOW)
        .filter(Q(service_id=visit.service_id) | Q(service__isnull=True, source=Touch.Source.MEMBER))
        .exclude(status__in=[Touch.Status.FAILED, Touch.Status.UNDELIVERED])
        .order_by(F("service_id").asc(nulls_last=True), "-sent_at").first()
    )
    if touch is None:
        return None
    return Attribution.objects.create(visit=visit, touch=touch, kind=touch.kind, source=touch.source,
                                      channel=touch.channel,
                                      service_id=visit.service_id,
                                      location_id=visit.location_id, value=visit.value, visit_at=visit.starts_at,
                                      created_at=max(moment, touch.sent_at))
