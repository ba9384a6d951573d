"""Recall metrics: which services patients fall behind on, what the texts send back, and when.

The recall numbers, computed by the database: the functions at the top (`state_counts`, `replies`,
`summary`...) serve the recall page and the dashboard; `RecallMetrics` is the owner dashboard's recall tab.
Seven grouped queries per page whatever the data size (three of them are the functions below):

- schedule states per service (current, as of now): `state_counts`;
- touches sent in the range per service x kind;
- replies (texts back after a touch) and rebook requests (link slot requests + SMS replies routed
  to rebooking) in the range: `replies`, `rebook_requests`;
- recovered visits (Attribution rows won in the range) per service x kind, with the days after due
  bucketed in SQL: the due date is the patient's previous completed visit for the service (local
  date) + the recall rule's interval -- the schedule row itself has moved on to the next cycle by
  the time a recovered visit completes, so nothing new is stored for this;
- the funnel, as distinct schedules, in one aggregate filtered by IN (schedule ids in the range).

Touches count by when they were sent; recovered visits by when they were won (booked or
completed), as in `recall.attribution`; a visit can be won in the range from a touch sent before it.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django.db.models import (
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from medspa.dashboards import charts
from medspa.dashboards.filters import DashboardFilter
from medspa.dashboards.tables import Table, money, panel, share
from medspa.models import Service, Visit
from medspa.routes import Route

from .models import (
    Attribution,
    CallOutcome,
    InboundMessage,
    LinkAction,
    RecallRule,
    RecallSchedule,
    Touch,
)
from .models.schedules import OWING_STATES

COUNTED_STATES = ("due", "late", "lapsed", "upcoming", "booked")


def state_counts(location_ids) -> dict[int, dict[str, int]]:
    rows = (RecallSchedule.objects.filter(patient__location_id__in=list(location_ids)).order_by()
            .values("service_id").annotate(**{s: Count("pk", filter=Q(state=s)) for s in COUNTED_STATES}))
    return {r.pop("service_id"): r for r in rows}


def touches_sent(location_ids, start: datetime, end: datetime) -> dict[int, int]:
    rows = (Touch.objects.filter(schedule__patient__location_id__in=list(location_ids), sent_at__gte=start,
                                 sent_at__lt=end, channel=Touch.Channel.SMS).order_by()
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


def recovered_by_channel(location_ids, start: datetime, end: datetime) -> dict[str, dict]:
    """Recall-recovered visits and revenue by what reached the patient: text, email or call (all keys present)."""
    rows = (_attributions(location_ids, start, end)
            .order_by().values("channel").annotate(visits=Count("pk"), revenue=Sum("value")))
    found = {r["channel"]: {"visits": r["visits"], "revenue": r["revenue"] or Decimal(0)} for r in rows}
    return {channel: found.get(channel, {"visits": 0, "revenue": Decimal(0)}) for channel in Touch.Channel.values}


def call_outcomes(location_ids, start: datetime, end: datetime) -> dict[str, int]:
    """Calls from the call list in the range, per outcome (every outcome key present)."""
    rows = (CallOutcome.objects.filter(location_id__in=list(location_ids), created_at__gte=start, created_at__lt=end)
            .order_by().values("outcome").annotate(n=Count("pk")))
    found = {r["outcome"]: r["n"] for r in rows}
    return {outcome: found.get(outcome, 0) for outcome in CallOutcome.Outcome.values}


# How the patients who are due can be reached, as of now (the same facts as Patient.text_contact).
HAS_PHONE = ~Q(patient__phone="")
NOT_OPTED_OUT = Q(patient__sms_opted_out_at__isnull=True)
REACH = [
    ("text_allowed", "Text allowed", HAS_PHONE & NOT_OPTED_OUT & Q(patient__sms_consent=True,
                                                                   patient__phone_invalid_at__isnull=True)),
    ("opted_out", "Opted out of texts", ~NOT_OPTED_OUT),
    ("no_phone", "No phone number", NOT_OPTED_OUT & Q(patient__phone="")),
    ("number_cannot_text", "Number cannot take texts", HAS_PHONE & NOT_OPTED_OUT
     & Q(patient__phone_invalid_at__isnull=False)),
    ("no_consent", "No consent on file", HAS_PHONE & NOT_OPTED_OUT & Q(patient__sms_consent=False,
                                                                       patient__phone_invalid_at__isnull=True)),
]


def reach_counts(location_ids) -> dict[str, dict[str, int]]:
    """Due, late and lapsed schedules by how the patient can be reached: {reach: {state: n}}, one query."""
    counts = RecallSchedule.objects.filter(patient__location_id__in=list(location_ids), state__in=OWING_STATES,
                                           trusted=True).aggregate(**{
        f"{key}__{state}": Count("pk", filter=where & Q(state=state))
        for key, _label, where in REACH for state in OWING_STATES})
    return {key: {state: counts[f"{key}__{state}"] for state in OWING_STATES} for key, _label, _where in REACH}


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


def to_call_count(location_ids) -> int:
    """Due, late and lapsed schedules whose patients no text can reach (call list before recent calls)."""
    counts = reach_counts(location_ids)
    return sum(sum(counts[key].values()) for key in ("opted_out", "number_cannot_text", "no_consent"))


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


# --- the owner dashboard's recall tab -----------------------------------------------------------

ACTIVE_STATES = COUNTED_STATES  # upcoming, due, late, lapsed, booked: the clock is running
BUCKETS = [("0-7", "0–7 days (or before due)"), ("8-21", "8–21 days"), ("22-90", "22–90 days"),
           ("90+", "More than 90 days")]


def kind_label(kind: str) -> str:
    return dict(Touch.Kind.choices).get(kind) or kind.replace("_", " ").capitalize()


class DaysBetween(Func):
    """Whole days from the second date to the first (PostgreSQL: date - date; SQLite: julianday)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
                           arg_joiner=") - julianday(", **extra)


def days_late(tz):
    """On an Attribution row: days from the due date to the recovered visit (negative: came early)."""
    previous = (Visit.objects.filter(patient_id=OuterRef("visit__patient_id"), service_id=OuterRef("service_id"),
                                     status=Visit.Status.COMPLETED, starts_at__lt=OuterRef("visit_at"))
                .order_by("-starts_at").values("starts_at")[:1])
    interval = Coalesce(
        Subquery(RecallRule.objects.filter(service_id=OuterRef("service_id")).values("interval_days")[:1]),
        F("service__return_interval_days"), output_field=IntegerField(),
    )
    return ExpressionWrapper(
        DaysBetween(TruncDate("visit_at", tzinfo=tz), TruncDate(Subquery(previous), tzinfo=tz)) - interval,
        output_field=IntegerField())


# On rows annotated with late_by = days_late(tz); no previous completed visit: no due date, no bucket.
BUCKET = Case(
    When(Q(late_by__lte=7), then=Value("0-7")),
    When(Q(late_by__lte=21), then=Value("8-21")),
    When(Q(late_by__lte=90), then=Value("22-90")),
    When(Q(late_by__gt=90), then=Value("90+")),
    default=Value(""), output_field=CharField(),
)


class RecallMetrics:
    def __init__(self, f: DashboardFilter):
        self.f = f

    @property
    def ids(self) -> list[int]:
        return list(self.f.location_ids)

    @cached_property
    def states(self) -> dict[int, dict[str, int]]:
        return state_counts(self.ids)

    @cached_property
    def touch_rows(self) -> list[dict]:
        return list(
            Touch.objects.filter(schedule__patient__location_id__in=self.ids, sent_at__gte=self.f.since,
                                 sent_at__lt=self.f.until, channel=Touch.Channel.SMS)
            .order_by().values("schedule__service_id", "kind").annotate(n=Count("pk"))
        )

    @cached_property
    def replies(self) -> dict[int, int]:
        return replies(self.ids, self.f.since, self.f.until)

    @cached_property
    def requests(self) -> dict[int, int]:
        return rebook_requests(self.ids, self.f.since, self.f.until)

    @cached_property
    def won_rows(self) -> list[dict]:
        bucket_counts = {f"b{key}": Count("pk", filter=Q(bucket=key)) for key, _ in BUCKETS}
        bucket_revenue = {f"r{key}": Sum("value", filter=Q(bucket=key)) for key, _ in BUCKETS}
        return list(
            Attribution.objects.filter(location_id__in=self.ids, created_at__gte=self.f.since,
                                       created_at__lt=self.f.until)
            .annotate(late_by=days_late(self.f.tz), bucket=BUCKET)
            .order_by().values("service_id", "kind")
            .annotate(visits=Count("pk"), revenue=Sum("value"), **bucket_counts, **bucket_revenue)
        )

    @cached_property
    def funnel_counts(self) -> dict[str, int]:
        since, until = self.f.since, self.f.until
        # IN (uncorrelated subquery): PostgreSQL hashes each set of schedule ids once (hashed SubPlan)
        # instead of probing per schedule (EXISTS), which was 4x slower at 20,000 schedules (bench).
        touched = Q(pk__in=Touch.objects.filter(sent_at__gte=since, sent_at__lt=until).values("schedule_id"))
        replied = Q(pk__in=InboundMessage.objects.filter(kind=InboundMessage.Kind.REPLY, received_at__gte=since,
                                                         received_at__lt=until).values("touch__schedule_id"))
        requested = Q(pk__in=LinkAction.objects.filter(action=LinkAction.Action.REQUEST, created_at__gte=since,
                                                       created_at__lt=until).values("link__schedule_id"))
        won = Q(pk__in=Attribution.objects.filter(location_id__in=self.ids, created_at__gte=since,
                                                  created_at__lt=until).values("touch__schedule_id"))
        return RecallSchedule.objects.filter(patient__location_id__in=self.ids).aggregate(
            due=Count("pk", filter=Q(state__in=OWING_STATES) | touched | won),
            touched=Count("pk", filter=touched),
            answered=Count("pk", filter=replied | requested),
            recovered=Count("pk", filter=won),
        )

    @cached_property
    def service_names(self) -> dict[int, str]:
        ids = set(self.states) | {r["schedule__service_id"] for r in self.touch_rows} | set(self.replies) \
            | set(self.requests) | {r["service_id"] for r in self.won_rows}
        return dict(Service.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}

    # --- sections ---------------------------------------------------------------------------

    def _service_rows(self) -> list[dict]:
        touches: dict[int, int] = {}
        for r in self.touch_rows:
            touches[r["schedule__service_id"]] = touches.get(r["schedule__service_id"], 0) + r["n"]
        won: dict[int, dict] = {}
        for r in self.won_rows:
            w = won.setdefault(r["service_id"], {"visits": 0, "revenue": Decimal(0)})
            w["visits"] += r["visits"]
            w["revenue"] += r["revenue"] or 0
        rows = []
        for pk, name in self.service_names.items():
            states = self.states.get(pk, {})
            active = sum(states.get(s, 0) for s in ACTIVE_STATES)
            sent = touches.get(pk, 0)
            rows.append({
                "service": name, "due": states.get("due", 0), "late": states.get("late", 0),
                "lapsed": states.get("lapsed", 0), "active": active, "touches": sent,
                "replies": self.replies.get(pk, 0), "reply_rate": share(self.replies.get(pk, 0), sent),
                "requests": self.requests.get(pk, 0), "recovered": won.get(pk, {}).get("visits", 0),
                "revenue": money(won.get(pk, {}).get("revenue")),
                "lapse_rate": share(states.get("lapsed", 0), active),
            })
        return rows

    def recall_by_service(self) -> Table:
        rows = sorted(self._service_rows(), key=lambda r: (-r["revenue"], -r["recovered"], r["service"]))
        return Table(
            "recall-by-service", "Recovered revenue by service",
            [("service", "Service"), ("due", "Due"), ("late", "Late"), ("lapsed", "Lapsed"),
             ("touches", "Touches sent"), ("replies", "Replies"), ("reply_rate", "Reply rate"),
             ("requests", "Rebook requests"), ("recovered", "Visits recovered"), ("revenue", "Revenue recovered"),
             ("lapse_rate", "Lapse rate")],
            rows, formats={"reply_rate": "percent", "revenue": "money", "lapse_rate": "percent"},
            notes=["Due, late and lapsed are today's schedules; touches, replies, rebook requests and recovered "
                   "visits are those in the date range. Reply rate = replies to a recall text / touches sent. "
                   "Lapse rate = lapsed / active schedules (upcoming, due, late, lapsed or booked)."],
        )

    def recall_lapse(self) -> Table:
        rows = sorted(self._service_rows(), key=lambda r: (-(r["lapse_rate"] or 0), -r["lapsed"], r["service"]))
        return Table(
            "recall-lapse", "Which services lapse most",
            [("service", "Service"), ("lapsed", "Lapsed"), ("active", "Active schedules"),
             ("lapse_rate", "Lapse rate")],
            [{k: r[k] for k in ("service", "lapsed", "active", "lapse_rate")} for r in rows],
            formats={"lapse_rate": "percent"},
            notes=["As of today: lapsed schedules / active schedules for the service."],
        )

    def recall_by_kind(self) -> Table:
        kinds: dict[str, dict] = {k: {"touches": 0, "recovered": 0, "revenue": Decimal(0)} for k in Touch.Kind.values}
        for r in self.touch_rows:
            kinds.setdefault(r["kind"], {"touches": 0, "recovered": 0, "revenue": Decimal(0)})["touches"] += r["n"]
        for r in self.won_rows:
            k = kinds.setdefault(r["kind"], {"touches": 0, "recovered": 0, "revenue": Decimal(0)})
            k["recovered"] += r["visits"]
            k["revenue"] += r["revenue"] or 0
        rows = [{"kind": kind, "label": kind_label(kind), "touches": v["touches"], "recovered": v["recovered"],
                 "share": share(v["recovered"], v["touches"]), "revenue": money(v["revenue"])}
                for kind, v in kinds.items()]
        return Table(
            "recall-by-kind", "Came back, by touch",
            [("label", "Touch"), ("touches", "Touches sent"), ("recovered", "Visits recovered"),
             ("share", "Share that came back"), ("revenue", "Revenue recovered")],
            rows, formats={"share": "percent", "revenue": "money"},
            notes=["Share that came back = visits recovered in the range after a touch of this kind / touches of "
                   "this kind sent in the range (a visit counts for the last touch before it)."],
        )

    def recall_days_after_due(self) -> Table:
        total = sum(r["visits"] for r in self.won_rows)
        rows = []
        for key, label in BUCKETS:
            visits = sum(r[f"b{key}"] for r in self.won_rows)
            revenue = money(sum((r[f"r{key}"] or 0 for r in self.won_rows), Decimal(0)))
            rows.append({"bucket": key, "label": label, "recovered": visits, "revenue": revenue,
                         "share": share(visits, total)})
        return Table(
            "recall-days-after-due", "When they came back (days after due)",
            [("label", "Days after due"), ("recovered", "Visits recovered"), ("revenue", "Revenue recovered"),
             ("share", "Share of recovered")],
            rows, formats={"share": "percent", "revenue": "money"},
            notes=["Due date = the previous completed visit for the service + the recall interval; measured to the "
                   "recovered visit's date."],
        )

    def recall_funnel(self) -> Table:
        c = self.funnel_counts
        stages = [
            ("due", "Due", "Schedules due, late or lapsed today, or touched or recovered in the range."),
            ("touched", "Touched", "Schedules sent a recall text in the range."),
            ("answered", "Replied or asked for a time", "Schedules with a text reply or a slot request on the "
                                                        "recall link in the range."),
            ("recovered", "Recovered", "Schedules with a visit booked or completed after a touch, won in the range."),
        ]
        top = c["due"]
        rows = [{"key": key, "stage": label, "schedules": c[key], "share": share(c[key], top), "definition": text}
                for key, label, text in stages] if top else []  # nobody due: the empty state
        return Table(
            "recall-funnel", "Recall funnel",
            [("stage", "Stage"), ("schedules", "Patients x services"), ("share", "Share of due"),
             ("definition", "Definition")],
            rows, formats={"share": "percent"},
        )


    def recall_reach(self) -> Table:
        counts = reach_counts(self.ids)
        rows = [{"key": key, "reach": label, **counts[key], "total": sum(counts[key].values())}
                for key, label, _where in REACH]
        return Table(
            "recall-reach", "How the patients due can be reached",
            [("reach", "Reach"), ("due", "Due"), ("late", "Late"), ("lapsed", "Lapsed"), ("total", "Total")],
            rows if any(r["total"] for r in rows) else [],
            notes=["As of today. The state is the treatment timeline's; only patients whose texts are allowed get "
                   "texts. The others with a number are on the front desk's call list."],
        )

    def recall_calls(self) -> Table:
        calls = call_outcomes(self.ids, self.f.since, self.f.until)
        won = recovered_by_channel(self.ids, self.f.since, self.f.until)
        rows = [{"key": key, "outcome": label, "calls": calls[key]} for key, label in CallOutcome.Outcome.choices]
        total = sum(calls.values())
        if total or won["call"]["visits"]:
            rows.append({"key": "recovered", "outcome": "Visits recovered by a call", "calls": won["call"]["visits"]})
        return Table(
            "recall-calls", "Call list outcomes",
            [("outcome", "Outcome"), ("calls", "Calls")],
            rows if total or won["call"]["visits"] else [],
            notes=["Calls recorded on the call list in the range. A visit booked or completed within 30 days after "
                   "a call that reached the patient (booked or voicemail) counts as recovered by the call."],
        )


RECALL_SECTIONS = {"recall-by-service": "recall_by_service", "recall-lapse": "recall_lapse",
                   "recall-by-kind": "recall_by_kind", "recall-days-after-due": "recall_days_after_due",
                   "recall-funnel": "recall_funnel", "recall-reach": "recall_reach", "recall-calls": "recall_calls"}


# --- what the dashboard shell finds here (settings.DASHBOARD_SECTIONS, medspa/dashboards/sections.py) ---

Metrics = RecallMetrics
SECTIONS = RECALL_SECTIONS
PAGE = ("recall", "dashboards/recall.html")
FUNNEL_COLORS = ["#7a3e6d", "#2e90fa", "#f79009", "#12b76a"]


def page_context(f: DashboardFilter) -> dict:
    m = RecallMetrics(f)
    services, funnel = m.recall_by_service(), m.recall_funnel()
    kinds, days = m.recall_by_kind(), m.recall_days_after_due()
    has_recovered = any(row["recovered"] for row in services.rows)
    return {
        "has_schedules": bool(services.rows),
        "funnel_panel": panel(funnel, charts.bar(funnel, "stage", [("schedules", "Patients x services")],
                                                 colors=FUNNEL_COLORS) if funnel.rows else None, f),
        "services_panel": panel(services, charts.bar(services, "service", [("revenue", "Revenue recovered ($)")],
                                                     money=True, horizontal=True) if has_recovered else None, f),
        "lapse_panel": panel(m.recall_lapse(), None, f),
        "kinds_panel": panel(kinds, charts.bar(kinds, "label", [("touches", "Touches sent"),
                                                                ("recovered", "Visits recovered")])
                             if any(row["touches"] or row["recovered"] for row in kinds.rows) else None, f),
        "days_panel": panel(days, charts.bar(days, "label", [("recovered", "Visits recovered")])
                            if has_recovered else None, f),
        "reach_panel": panel(m.recall_reach(), None, f),
        "calls_panel": panel(m.recall_calls(), None, f),
    }
