"""Context attached to inbox handoffs (the inbox renders these keys; see Handoff.context)."""

from medspa.models import Visit


def history_context(patient, limit: int = 10) -> list[dict]:
    visits = (Visit.objects.filter(patient=patient).select_related("service", "provider", "location")
              .order_by("-starts_at")[:limit])
    return [
        {"date": v.starts_at.astimezone(v.location.tz).date().isoformat(), "service": v.service.name,
         "provider": v.provider.name if v.provider else "", "status": v.get_status_display(),
         "value": str(v.value)}
        for v in visits
    ]
