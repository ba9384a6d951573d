"""Recall metrics computed by the database: a handful of grouped queries, reusable by owner dashboards.

Every function takes the location ids to include and (where it counts events) a [start, end) range.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from medspa.models import Service
from medspa.routes import Route

from .models import Attribution, InboundMessage, LinkAction, RecallSchedule, Touch

COUNTED_STATES = ("due", "late", "lapsed", "upcoming", "booked")


def state_counts(location_ids) -> dict[int, dict[str, int]]:
    rows = (RecallSchedule.objects.filter(patient__location_id__in=list(location_ids)).order_by()
            .values("service_id").annotate(**{s: Count("pk", filter=Q(state=s)) for s in COUNTED_STATES}))
    return {r.pop("service_id"): r for r in rows}


def touches_sent(location_ids, start: datetime, end: datetime) -> dict[int, int]:
    rows = (Touch.objects.filter(schedule__patient__location_id__in=list(location_ids), sent_at__gte=start,
                                 sent_at__lt=end).order_by()
            .values("schedule__service_id").annotate(n=Count("pk")))
    return {r["schedule__service_id"]: r["n"] for r in rows}


def replies(location_ids, start: datetime, end: datetime) -> dict[int, int]:
    """Texts back after a touch (keywords excluded)."""
    rows = (InboundMessage.objects.filter(touch__schedule__patient__location_id__in=list(location_ids),
                                          received_at__gte=start, received_at__lt=end,
                                          kind=InboundMessage.Kind.REPLY).order_by()
            .values("touch__schedule__service_id").annotate(n=Count("pk")))
    return {r["touch__schedule__service_id"]: r["n"] for r in rows}


def rebook_requests(location_ids, start: datetime, end: datetime) -> dict[int, int]:
    """Slot requests on the patient link plus text replies the triage routed to rebooking."""
    ids = list(location_ids)
    counts: dict[int, int] = {}
    link_rows = (LinkAction.objects.filter(link__schedule__patient__location_id__in=ids, created_at__gte=start,
                                           created_at__lt=end, action=LinkAction.Action.REQUEST).order_by()
                 .values("link__schedule__service_id").annotate(n=Count("pk")))
    for r in link_rows:
        counts[r["link__schedule__service_id"]] = r["n"]
    sms_rows = (InboundMessage.objects.filter(touch__schedule__patient__location_id__in=ids, received_at__gte=start,
                                              received_at__lt=end, handoff__route=Route.REBOOKING).order_by()
                .values("touch__schedule__service_id").annotate(n=Count("pk")))
    for r in sms_rows:
        key = r["touch__schedule__service_id"]
        counts[key] = counts.get(key, 0) + r["n"]
    return counts


def _attributions(location_ids, start: datetime, end: datetime, source: str | None = Touch.Source.RECALL):
    rows = Attribution.objects.filter(location_id__in=list(location_ids), created_at__gte=start, created_at__lt=end)
    return rows.filter(source=source) if source else rows


def recovered(location_ids, start: datetime, end: datetime) -> dict[int, dict]:
    """Recall-recovered visits and revenue per service (member touches: `member_results`)."""
    rows = (_attributions(location_ids, start, end)
            .order_by().values("service_id").annotate(visits=Count("pk"), revenue=Sum("value")))
    return {r["service_id"]: {"visits": r["visits"], "revenue": r["revenue"] or Decimal(0)} for r in rows}


def recovered_by_kind(location_ids, start: datetime, end: datetime) -> dict[str, dict]:
    """Which recall touch timing brings patients back: on-time, late or reactivation."""
    rows = (_attributions(location_ids, start, end)
            .order_by().values("kind").annotate(visits=Count("pk"), revenue=Sum("value")))
    return {r["kind"]: {"visits": r["visits"], "revenue": r["revenue"] or Decimal(0)} for r in rows}


def recovered_by_source(location_ids, start: datetime, end: datetime) -> dict[str, dict]:
    """Recovered visits and revenue from recall touches and from member touchpoints:
    {"recall": {"visits", "revenue"}, "member": {...}} (both keys always present)."""
    rows = (_attributions(location_ids, start, end, source=None)
            .order_by().values("source").annotate(visits=Count("pk"), revenue=Sum("value")))
    found = {r["source"]: {"visits": r["visits"], "revenue": r["revenue"] or Decimal(0)} for r in rows}
    return {source: found.get(source, {"visits": 0, "revenue": Decimal(0)}) for source in Touch.Source.values}


@dataclass
class MemberKindRow:
    kind: str
    label: str
    sent: int = 0
    delivered: int = 0
    replies: int = 0
    requests: int = 0
    recovered: int = 0
    revenue: Decimal = Decimal(0)


def member_results(location_ids, start: datetime, end: datetime) -> list[MemberKindRow]:
    """Member touchpoint results per kind (renewal, credits, bundles): texts sent and delivered, replies,
    slot requests on the link, recovered visits and their revenue. Four grouped queries."""
    ids = list(location_ids)
    member = Touch.objects.filter(source=Touch.Source.MEMBER, patient__location_id__in=ids)
    sent = {r["kind"]: r for r in member.filter(sent_at__gte=start, sent_at__lt=end).order_by().values("kind")
            .annotate(n=Count("pk"), delivered=Count("pk", filter=Q(status=Touch.Status.DELIVERED)))}
    back = dict(InboundMessage.objects.filter(touch__in=member, received_at__gte=start, received_at__lt=end,
                                              kind=InboundMessage.Kind.REPLY).order_by()
                .values("touch__kind").annotate(n=Count("pk")).values_list("touch__kind", "n"))
    asked = dict(LinkAction.objects.filter(link__touch__in=member, created_at__gte=start, created_at__lt=end,
                                           action=LinkAction.Action.REQUEST).order_by()
                 .values("link__touch__kind").annotate(n=Count("pk")).values_list("link__touch__kind", "n"))
    won = {r["kind"]: r for r in _attributions(ids, start, end, source=Touch.Source.MEMBER).order_by()
           .values("kind").annotate(visits=Count("pk"), revenue=Sum("value"))}
    return [
        MemberKindRow(kind=kind, label=label, sent=sent.get(kind, {}).get("n", 0),
                      delivered=sent.get(kind, {}).get("delivered", 0), replies=back.get(kind, 0),
                      requests=asked.get(kind, 0), recovered=won.get(kind, {}).get("visits", 0),
                      revenue=won.get(kind, {}).get("revenue") or Decimal(0))
        for kind, label in Touch.MemberKind.choices
    ]


@dataclass
class ServiceRow:
    service: Service
    due: int = 0
    late: int = 0
    lapsed: int = 0
    upcoming: int = 0
    booked: int = 0
    touches: int = 0
    replies: int = 0
    requests: int = 0
    recovered: int = 0
    revenue: Decimal = Decimal(0)


@dataclass
class Summary:
    rows: list[ServiceRow]
    totals: ServiceRow = field(init=False)

    def __post_init__(self):
        total = ServiceRow(service=None)
        for row in self.rows:
            for name in ("due", "late", "lapsed", "upcoming", "booked", "touches", "replies", "requests",
                         "recovered", "revenue"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        self.totals = total


def summary(location_ids, start: datetime, end: datetime) -> Summary:
    ids = list(location_ids)
    states, sent = state_counts(ids), touches_sent(ids, start, end)
    back, requests, won = replies(ids, start, end), rebook_requests(ids, start, end), recovered(ids, start, end)
    rows = []
    for service in Service.objects.order_by("name"):
        row = ServiceRow(service=service, **states.get(service.pk, {}), touches=sent.get(service.pk, 0),
                         replies=back.get(service.pk, 0), requests=requests.get(service.pk, 0),
                         recovered=won.get(service.pk, {}).get("visits", 0),
                         revenue=won.get(service.pk, {}).get("revenue", Decimal(0)))
        if any((row.due, row.late, row.lapsed, row.upcoming, row.booked, row.touches, row.recovered)):
            rows.append(row)
    return Summary(rows)
