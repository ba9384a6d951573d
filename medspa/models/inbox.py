"""The front-desk inbox: everything that needs a human, from calls, texts and links."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .. import member_figures
from ..routes import Route
from .audit import log_action
from .clinic import Location
from .patients import Patient
from .scoping import LocationScopedQuerySet

# Lower sorts first. Safety escalations always lead the queue.
ROUTE_PRIORITY = {
    Route.SAFETY_ESCALATION: 0,
    Route.PROVIDER_REVIEW: 10,
    Route.STAFF_REVIEW: 20,
    Route.REBOOKING: 30,
    Route.BOOKING: 30,
    Route.EVENT_FOLLOW_UP: 40,
    Route.MEMBER_SUPPORT: 40,
    Route.BUNDLE_HELP: 40,
    Route.DATA_QUALITY: 60,
}
# How soon someone should call back, by route (business time is applied by Location.next_opening).
ROUTE_SLA = {
    Route.SAFETY_ESCALATION: timedelta(minutes=15),
    Route.PROVIDER_REVIEW: timedelta(hours=4),
    Route.STAFF_REVIEW: timedelta(hours=4),
}
DEFAULT_SLA = timedelta(hours=2)


def _whole_minute(moment):
    """`moment` rounded up to the next whole minute (unchanged if it already is one)."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


# How far the inbox counts per route: beyond it a chip says "100+", so counting never walks the queue.
COUNT_CAP = 100


class HandoffQuerySet(LocationScopedQuerySet):
    def open(self):
        """Open and claimed items: NOT status = 'done', the predicate of the open-item indexes below."""
        return self.exclude(status=Handoff.Status.DONE)

    def queue_order(self):
        """Safety first, then the nearest callback deadline, then the most value at stake (id breaks ties)."""
        return self.order_by("priority", "due_at", "-value", "created_at", "id")

    def after(self, key: tuple):
        """Keyset pagination in queue order: the items after `key` (an item's `queue_key`).

        The row comparison (priority, due_at) >= (...) is what the queue indexes can seek to; the rest
        settles ties within the same minute without reading the items before them.
        """
        priority, due_at, value, created_at, pk = key
        table = self.model._meta.db_table
        seek = RawSQL(f'("{table}"."priority", "{table}"."due_at") >= (%s, %s)',  # noqa: S611 (constant SQL)
                      [priority, connection.ops.adapt_datetimefield_value(due_at)],
                      output_field=models.BooleanField())
        return self.filter(seek).filter(
            Q(priority__gt=priority) | Q(priority=priority, due_at__gt=due_at)
            | Q(priority=priority, due_at=due_at, value__lt=value)
            | Q(priority=priority, due_at=due_at, value=value, created_at__gt=created_at)
            | Q(priority=priority, due_at=due_at, value=value, created_at=created_at, pk__gt=pk)
        )

    def open_route_counts(self, cap: int = COUNT_CAP) -> dict[str, int]:
        """Open items per route, each counted up to cap + 1 (handoff_open_route_idx), in one query.

        The cost is bounded by routes x cap whatever the size of the queue or of the history.
        """
        parts, params = [], []
        for route in Route.values:
            try:  # ORDER BY id: only handoff_open_route_idx yields it without sorting, so no plan can
                # walk another index through the resolved history looking for cap + 1 open rows.
                sql, route_params = (self.open().filter(route=route).order_by("id").values("id")[:cap + 1]
                                     .query.sql_with_params())
            except EmptyResultSet:  # a user with no locations sees nothing
                return {}
            parts.append(f"SELECT %s, COUNT(*) FROM ({sql}) AS r")  # noqa: S608 (the ORM's own SQL)
            params += [route, *route_params]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return {route: n for route, n in cursor.fetchall() if n}


class HandoffManager(models.Manager.from_queryset(HandoffQuerySet)):
    def open_for(self, patient, route, source, *, title: str, summary: str = "", reasons=(), touch=None,
                 member: dict | None = None, context: dict | None = None, location=None, caller_name=None,
                 caller_phone=None, value=0, created_at=None, save: bool = True) -> "Handoff":
        """The one way an inbox item is opened, whatever the source (call, text reply, recall link, system).

        `context` holds the source's own facts (call id and fields, the text, the slot request...);
        `context_for` adds what every item about a patient carries, in one shape. The caller's name and
        phone default to the patient's; the location to the patient's. `save=False` returns the item
        unsaved with its priority and deadline set, for `bulk_create` (demo data)."""
        handoff = self.model(
            location=location or patient.location, patient=patient, route=route, source=source, title=title,
            summary=summary, reasons=list(reasons),
            context=self.context_for(patient, touch=touch, member=member, **(context or {})),
            caller_name=patient.full_name if caller_name is None and patient else caller_name or "",
            caller_phone=str(patient.phone or "") if caller_phone is None and patient else caller_phone or "",
            value=value or 0, created_at=created_at or timezone.now(),
        )
        if save:
            handoff.save()
        else:
            handoff.priority, handoff.due_at = ROUTE_PRIORITY.get(route, 30), handoff.default_due_at()
        return handoff

    def context_for(self, patient, *, touch=None, member: dict | None = None, **facts) -> dict:
        """Handoff.context: the source's facts + the patient's treatment history ("history"), the text
        that prompted the item ("touch", `Touch.handoff_context()`) and the member figures ("member",
        `medspa.member_figures.for_staff` unless the source already holds them, e.g. a call summary)."""
        context = dict(facts)
        if patient is not None:
            history = patient.treatment_history()
            if history:
                context["history"] = history
            member = member or member_figures.for_staff(patient)
        if touch is not None:
            context["touch"] = touch.handoff_context()
        if member:
            context["member"] = member
        return context


class Handoff(models.Model):
    Route = Route

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLAIMED = "claimed", "Claimed"
        DONE = "done", "Done"

    class Source(models.TextChoices):
        CALL = "call", "Phone call"
        SMS = "sms", "Text reply"
        RECALL_LINK = "recall_link", "Recall link"
        MEMBER = "member", "Membership"
        SYSTEM = "system", "System"

    class Outcome(models.TextChoices):
        BOOKED_CONSULT = "booked_consult", "Booked consult"
        BOOKED_TREATMENT = "booked_treatment", "Booked treatment"
        MEMBER_ISSUE_SOLVED = "member_issue_solved", "Member issue solved"
        PROVIDER_ADVISED = "provider_advised", "Provider advised patient"
        REFERRED_TO_CARE = "referred_to_care", "Referred to urgent / emergency care"
        NO_ANSWER = "no_answer", "No answer"
        NOT_INTERESTED = "not_interested", "Not interested"
        DATA_FIXED = "data_fixed", "Record corrected"
        OTHER = "other", "Other"

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="handoffs")
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.SET_NULL, related_name="handoffs")
    route = models.CharField(max_length=20, choices=Route.choices)
    priority = models.PositiveSmallIntegerField(default=30, editable=False)
    source = models.CharField(max_length=12, choices=Source.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    reasons = models.JSONField(default=list, blank=True, help_text="Exact phrases that set the route.")
    context = models.JSONField(default=dict, blank=True, help_text="Treatment history, call fields, touch…")
    caller_name = models.CharField(max_length=160, blank=True)
    caller_phone = models.CharField(max_length=20, blank=True)
    value = models.DecimalField(max_digits=9, decimal_places=2, default=0, help_text="Visit value at stake.")
    due_at = models.DateTimeField(help_text="Callback due by.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = HandoffManager()

    class Meta:
        ordering = ["priority", "due_at"]
        indexes = [
            # Only open items are indexed for the inbox (NOT status = 'done'): a page costs the same
            # whatever the history. The inbox page, one location (coordinators): queue order, keyset
            # (HandoffQuerySet.queue_order / .after, medspa.inbox_views).
            models.Index(
                fields=["location", "priority", "due_at", "-value", "created_at", "id"],
                condition=~Q(status="done"),
                name="handoff_open_queue_idx",
            ),
            # The inbox page across several locations (owners): the same order without the location.
            models.Index(
                fields=["priority", "due_at", "-value", "created_at", "id"],
                condition=~Q(status="done"),
                name="handoff_open_order_idx",
            ),
            # The inbox's route chips and safety banner: open items per route, counted up to a cap in
            # id order (HandoffQuerySet.open_route_counts).
            models.Index(fields=["location", "route", "id"], condition=~Q(status="done"),
                         name="handoff_open_route_idx"),
            # Dashboards: handoffs opened per location over a date range.
            models.Index(fields=["location", "created_at"], name="handoff_location_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(resolved_at__isnull=False), name="handoff_done_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="done", route="safety_escalation") | ~Q(resolution_note=""),
                name="handoff_safety_done_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_route_display()}: {self.title}"

    def save(self, *args, **kwargs):
        self.priority = ROUTE_PRIORITY.get(self.route, 30)
        if self.due_at is None:
            self.due_at = self.default_due_at()
        super().save(*args, **kwargs)

    def default_due_at(self):
        """The callback deadline, to the whole minute (a coordinator's "by 10:17", not a microsecond).

        Items that arrive within the same minute share a deadline, so value decides between them.
        """
        now = self.created_at or timezone.now()
        sla = ROUTE_SLA.get(self.route, DEFAULT_SLA)
        if self.route == Route.SAFETY_ESCALATION:
            return _whole_minute(now + sla)  # never waits for opening hours
        return _whole_minute(self.location.next_opening(now) + sla)

    @property
    def queue_key(self) -> tuple:
        """Where this item sits in queue order (HandoffQuerySet.after)."""
        return (self.priority, self.due_at, self.value, self.created_at, self.pk)

    @property
    def is_safety(self) -> bool:
        return self.route == Route.SAFETY_ESCALATION

    @transaction.atomic
    def claim(self, user) -> None:
        locked = Handoff.objects.select_for_update().get(pk=self.pk)
        if locked.status == self.Status.DONE:
            raise ValidationError("This item is already resolved.")
        if locked.status == self.Status.CLAIMED and locked.claimed_by_id != user.pk:
            raise ValidationError(f"Already claimed by {locked.claimed_by}.")
        self.status, self.claimed_by, self.claimed_at = self.Status.CLAIMED, user, timezone.now()
        self.save(update_fields=["status", "claimed_by", "claimed_at", "priority"])
        log_action(user, "handoff.claimed", self, location=self.location)

    @transaction.atomic
    def resolve(self, user, outcome: str, note: str = "") -> None:
        note = (note or "").strip()
        if Handoff.objects.filter(pk=self.pk, status=self.Status.DONE).exists():
            raise ValidationError("This item is already resolved.")
        if self.is_safety and not note:
            raise ValidationError("A safety escalation cannot be resolved without a note of what was done.")
        if outcome not in self.Outcome.values:
            raise ValidationError("Choose an outcome.")
        now = timezone.now()
        if self.claimed_at is None:
            self.claimed_by, self.claimed_at = user, now
        self.status, self.outcome, self.resolution_note = self.Status.DONE, outcome, note
        self.resolved_by, self.resolved_at = user, now
        self.save()
        log_action(user, "handoff.resolved", self, location=self.location, outcome=outcome, note=note)

