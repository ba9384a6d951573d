"""The outbox (one Touch per message owed), inbound replies, and recovered-visit attribution."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .rules import ALL_KIND_CHOICES, KIND_MAX_LENGTH, MemberKind, TouchKind


class TouchStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    UNDELIVERED = "undelivered", "Undelivered"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# Delivery callbacks only move a touch forward along this order; undelivered/failed are final.
STATUS_RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3, "cancelled": 3}
FINAL_STATUSES = ("delivered", "undelivered", "failed", "cancelled")


class Channel(models.TextChoices):
    """How a touch reached the patient. Calls are logged from the call list (recall.call_list), never sent."""

    SMS = "sms", "Text"
    EMAIL = "email", "Email"
    CALL = "call", "Call"


class TouchSource(models.TextChoices):
    RECALL = "recall", "Recall"
    MEMBER = "member", "Member touchpoint"


class Touch(models.Model):
    """One outbound text, or a call logged from the call list (channel "call", recorded as sent, never
    dispatched). Recall touches belong to a schedule (key schedule:number); member touches have no
    schedule and take the touchpoint's stable key (members.touchpoints context["key"])."""

    Channel = Channel
    Kind = TouchKind
    MemberKind = MemberKind
    Source = TouchSource
    Status = TouchStatus

    # Every index on this table costs each touch the dispatcher makes: no index of its own on patient
    # (touch_patient_idx leads with it), schedule (touch_schedule_number leads with it) or service
    # (no query reads touches by service; deleting a catalog service scans them once).
    #
    # Foreign keys in the database: none of patient, schedule and service is checked by PostgreSQL (the
    # self-reference `message` is). Each checked key costs every touch a `SELECT ... FOR KEY SHARE` of its
    # parent at commit. Measured: the sweep's commit went from 1.1 s to 0.35 s for 10,000 touches without
    # the patient and service checks; dropping the schedule check as well took a 10,000-touch sweep over
    # 10M schedules from about 1.2 s to 1.05 s (at 1M within noise: the check's page reads grow with the
    # table). They are not checked there because:
    # a recall touch copies schedule, patient and service from the schedule row read in the statement that
    # makes it from its owed row (recall.owed; the sweep wrote that row while it held the schedule FOR
    # UPDATE), or, for a call logged from the call list, reads it in the same transaction,
    # and the schedule's own keys to patient and service are checked; member touches and logged calls copy
    # patient and service from the membership or patient row they were made from, in the same transaction.
    # Nothing deletes patients, schedules or services with SQL (no delete path in the app); a delete
    # through Django (admin, re-planning) still cascades / sets null here, since on_delete is applied by
    # Django's collector whether or not the database checks the key.
    patient = models.ForeignKey("medspa.Patient", on_delete=models.CASCADE, related_name="recall_touches",
                                db_index=False, db_constraint=False)
    source = models.CharField(max_length=8, choices=TouchSource.choices, default=TouchSource.RECALL)
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.SMS, db_default=Channel.SMS)
    schedule = models.ForeignKey("recall.RecallSchedule", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="touches", db_index=False, db_constraint=False)
    service = models.ForeignKey(
        "medspa.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False,
        db_constraint=False,
        help_text="The service a visit must be for to count as recovered; empty: any visit (renewal, credits).",
    )
    number = models.PositiveIntegerField(null=True, blank=True,
                                         help_text="Recall: 1, 2, 3… for this schedule (never reused).")
    kind = models.CharField(max_length=KIND_MAX_LENGTH, choices=ALL_KIND_CHOICES)
    idempotency_key = models.CharField(max_length=80,
                                       help_text="Recall: schedule_id:number. Member: the touchpoint's key.")
    context = models.JSONField(default=dict, blank=True,
                               help_text="Member touchpoints: membership/bundle ids and dates (never texted).")
    body = models.TextField()
    to = models.CharField(max_length=254, help_text="A phone number (E.164) or, for email, an address.")
    from_number = models.CharField(max_length=20)
    status = models.CharField(max_length=12, choices=TouchStatus.choices, default=TouchStatus.QUEUED)
    provider_sid = models.CharField(max_length=64, null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=250, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    not_before = models.DateTimeField(default=timezone.now, help_text="Held until then (quiet hours, backoff).")
    claimed_at = models.DateTimeField(null=True, blank=True)
    send_started_at = models.DateTimeField(
        null=True, blank=True, help_text="Committed just before the HTTP request to the provider."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    message = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="grouped", db_index=False,
        help_text="Sent as part of that touch's message (one message per patient per day): the link in it lists "
                  "this touch's service too, and its status follows that message's.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A member touch is written once per touchpoint key (recall.member_touches looks keys up by
            # it, source = 'member'). Recall keys (schedule:number) are unique through
            # touch_schedule_number, so recall touches add no entry here. Equality only: no LIKE index.
            models.UniqueConstraint(fields=["idempotency_key"], condition=Q(source="member"),
                                    name="touch_member_key"),
            # Status callbacks and delivery webhooks find the touch by Twilio's MessageSid
            # (recall.inbound, recall.views.webhooks); only sent touches have one.
            models.UniqueConstraint(fields=["provider_sid"], condition=Q(provider_sid__isnull=False),
                                    name="touch_provider_sid"),
            # Exactly once per schedule and number; also serves the schedule's touches (its FK has no index).
            models.UniqueConstraint(fields=["schedule", "number"], name="touch_schedule_number"),
            models.CheckConstraint(
                condition=Q(source="member", schedule__isnull=True) | Q(source="recall", schedule__isnull=False),
                name="touch_source_schedule",
            ),
        ]
        indexes = [
            # The sweep's outbox pass: queued touches whose hold has passed, and stale claims
            # (recall.sweep.requeue_outbox). Only unfinished rows are indexed.
            models.Index(fields=["status", "not_before"], condition=Q(status__in=["queued", "sending"]),
                         name="touch_pending_idx"),
            # Recall page: touches sent per period.
            models.Index(fields=["sent_at"], condition=Q(sent_at__isnull=False), name="touch_sent_idx"),
            # Attribution and the patient page: a patient's touches, newest first; the dispatcher's claim of a
            # patient's queued touches (recall.dispatch.claim_message).
            models.Index(fields=["patient", "-created_at"], name="touch_patient_idx"),
            # Status callbacks and the link page: the touches sent as part of one message (recall.inbound.
            # apply_status, recall.views.patient_link). Only grouped touches are indexed.
            models.Index(fields=["message"], condition=Q(message__isnull=False), name="touch_message_idx"),
        ]

    def __str__(self) -> str:
        return f"Touch {self.idempotency_key} ({self.get_kind_display()}, {self.get_status_display()})"

    @property
    def is_member(self) -> bool:
        return self.source == TouchSource.MEMBER

    def handoff_context(self) -> dict:
        """Handoff.context["touch"]: the text that prompted an inbox item (see Handoff.objects.open_for)."""
        return {"id": self.pk, "kind": self.get_kind_display(), "body": self.body,
                "sent_at": self.sent_at.isoformat() if self.sent_at else None, "source": self.source}


class OwedTouch(models.Model):
    """A recall text the sweep owes, not yet made into a Touch: the narrow outbox row the sweep writes.

    The sweep (recall.sweep) advances a due schedule and writes this row in the same statement; the
    dispatcher's first step (recall.owed.make_touches, a task queued on the sweep's commit) turns a
    batch of them into queued touches (patient, service, numbers, key from the schedule and its patient
    and location, read then) and deletes them in one statement, so a row is made into a touch once.
    Measured (docs/benchmarks.md): the sweep writing a touch row (wide, four index entries, and four more
    when it is claimed) was most of the gap to the floor; this row has one index entry.

    Rows live seconds: `recall.dispatch.requeue_outbox` re-queues any older than REQUEUE_AFTER (a lost
    task), so the table holds about one sweep's work and is read whole (no index beyond the key).
    """

    # Not checked by PostgreSQL (see Touch.patient): copied from the schedule row the sweep holds FOR
    # UPDATE in the same statement; a schedule deleted through Django takes its rows with it.
    schedule = models.ForeignKey("recall.RecallSchedule", on_delete=models.CASCADE, related_name="+",
                                 db_index=False, db_constraint=False)
    number = models.PositiveIntegerField(help_text="The touch's number for its schedule: 1, 2, 3...")
    kind = models.CharField(max_length=KIND_MAX_LENGTH, choices=TouchKind.choices)
    created_at = models.DateTimeField(help_text="The sweep's moment: the touch's created_at and not_before.")

    def __str__(self) -> str:
        return f"Owed touch {self.schedule_id}:{self.number} ({self.kind})"


class InboundMessage(models.Model):
    """Every text a patient sends us, once (Twilio's MessageSid is unique: retried webhooks are no-ops)."""

    class Kind(models.TextChoices):
        PENDING = "", "Not processed yet"
        STOP = "stop", "Opt-out keyword"
        START = "start", "Opt-in keyword"
        HELP = "help", "Help keyword"
        REPLY = "reply", "Reply for the front desk"

    message_sid = models.CharField(max_length=64)
    from_number = models.CharField(max_length=20)
    to_number = models.CharField(max_length=20)
    body = models.TextField(blank=True)
    opt_out_type = models.CharField(max_length=10, blank=True, help_text="Twilio Advanced Opt-Out: STOP, START, HELP.")
    media = models.JSONField(default=list, blank=True, help_text="MMS: [{url, content_type}] as Twilio sent them.")
    received_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=8, choices=Kind.choices, blank=True)
    patient = models.ForeignKey("medspa.Patient", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", db_index=False)
    touch = models.ForeignKey(Touch, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies",
                              db_index=False)
    handoff = models.ForeignKey("medspa.Handoff", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", db_index=False)
    processed_at = models.DateTimeField(null=True, blank=True)
    reply_body = models.TextField(blank=True)
    reply_claimed_at = models.DateTimeField(null=True, blank=True)
    reply_sid = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at"]
        # The webhook inserts every text (recall.inbound_store): each index here is written by that insert,
        # so only four are: the key, the MessageSid, the sender and the unprocessed. The links to patient,
        # touch and handoff are filled in by the worker, so their indexes hold only rows that have one.
        # No `_like` (pattern) indexes: nothing searches these columns with LIKE.
        constraints = [
            # A retried webhook (the same MessageSid) inserts nothing: ON CONFLICT (message_sid).
            models.UniqueConstraint(fields=["message_sid"], name="inbound_message_sid"),
        ]
        indexes = [
            # A sender's texts (recall.inbound's duplicate check, the dev phone).
            models.Index(fields=["from_number"], name="inbound_from_idx"),
            # Replies whose processing task was lost, oldest first (recall.sweep.requeue_inbound): only the
            # unprocessed are indexed, so the look-up costs what is owed, not the table.
            models.Index(fields=["received_at"], condition=Q(processed_at__isnull=True),
                         name="inbound_unprocessed_idx"),
            # Replies to a touch (recall.metrics), and the deletes of a patient, touch or handoff.
            models.Index(fields=["touch"], condition=Q(touch__isnull=False), name="inbound_touch_idx"),
            models.Index(fields=["patient"], condition=Q(patient__isnull=False), name="inbound_patient_idx"),
            models.Index(fields=["handoff"], condition=Q(handoff__isnull=False), name="inbound_handoff_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_number}: {self.body[:40]}"


class Attribution(models.Model):
    """A visit completed or booked within 30 days after a touch: recovered (see recall.attribution)."""

    visit = models.OneToOneField("medspa.Visit", on_delete=models.CASCADE, related_name="recall_attribution")
    touch = models.ForeignKey(Touch, on_delete=models.CASCADE, related_name="attributions")
    kind = models.CharField(max_length=KIND_MAX_LENGTH, choices=ALL_KIND_CHOICES)
    source = models.CharField(max_length=8, choices=TouchSource.choices, default=TouchSource.RECALL)
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.SMS, db_default=Channel.SMS)
    service = models.ForeignKey("medspa.Service", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("medspa.Location", on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    visit_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, help_text="When the visit was booked or completed.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Recall page: recovered visits and revenue per location and period (by when they were won).
            models.Index(fields=["location", "created_at"], name="attribution_loc_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.visit} recovered by {self.touch}"
