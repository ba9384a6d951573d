"""Patients, their visits, and the consent ledger (texts and email)."""

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from ..phones import normalize_phone
from .clinic import Location, Provider, Service
from .scoping import LocationScopedQuerySet


class PatientQuerySet(LocationScopedQuerySet):
    def search(self, query: str):
        query = (query or "").strip()
        if not query:
            return self
        if "\x00" in query:  # PostgreSQL text cannot hold NUL: nobody's name or phone contains one
            return self.none()
        phone = normalize_phone(query)
        if phone:
            return self.filter(phone=phone)
        digits = "".join(ch for ch in query if ch.isdigit())
        if len(digits) >= 4 and len(digits) == len(query.replace(" ", "").replace("-", "")):
            return self.filter(phone__endswith=digits)
        terms = query.split()
        qs = self
        for term in terms:
            qs = qs.filter(
                Q(first_name__istartswith=term) | Q(last_name__istartswith=term) | Q(email__iexact=term)
            )
        return qs

    def textable(self):
        """Patients an automated text may go to: consent given, not opted out, phone valid."""
        return self.filter(
            sms_consent=True, sms_opted_out_at__isnull=True, phone_invalid_at__isnull=True
        ).exclude(phone="")


class Contact(models.TextChoices):
    """How the clinic may reach a patient, separate from where they are in the recall cycle."""

    TEXT_ALLOWED = "text_allowed", "text allowed"
    NO_CONSENT = "no_consent", "no consent on file"
    OPTED_OUT = "opted_out", "opted out of texts"
    NUMBER_CANNOT_TEXT = "number_cannot_text", "number cannot take texts"
    NO_PHONE = "no_phone", "no phone number"
    EMAIL_ALLOWED = "email_allowed", "email allowed"
    EMAIL_UNSUBSCRIBED = "email_unsubscribed", "email unsubscribed"
    NO_EMAIL = "no_email", "no email address"


def may_text(phone, sms_consent, opted_out_at, phone_invalid_at) -> bool:
    """Whether an automated text may go to a patient with these contact facts (Patient.can_text); callers
    that read the facts as plain values, or as booleans (has a phone, opted out), ask it directly."""
    return bool(phone) and bool(sms_consent) and not opted_out_at and not phone_invalid_at


def may_email(email, email_consent, unsubscribed_at) -> bool:
    """Whether an email may go to a patient with these contact facts (Patient.can_email)."""
    return bool(email) and bool(email_consent) and not unsubscribed_at


class Patient(models.Model):
    Contact = Contact

    class ConsentSource(models.TextChoices):
        INTAKE_FORM = "intake_form", "Intake form"
        IMPORT = "import", "History import"
        VERBAL = "verbal", "Verbal (recorded by staff)"
        WRITTEN = "written", "Signed form (recorded by staff)"
        KEYWORD = "keyword", "Texted START"
        UNKNOWN = "unknown", "Unknown"

    external_id = models.CharField(
        max_length=64, blank=True, help_text="The clinic's own patient number (EMR / import)."
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    phone = PhoneNumberField(blank=True, db_index=True)
    email = models.EmailField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="patients")
    sms_consent = models.BooleanField(default=False)
    sms_consent_source = models.CharField(
        max_length=20, choices=ConsentSource.choices, default=ConsentSource.UNKNOWN
    )
    sms_consent_at = models.DateTimeField(null=True, blank=True)
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    phone_invalid_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the carrier reports the number cannot receive texts."
    )
    # Database defaults too: rows written by older code (historical models in migrations) get them.
    email_consent = models.BooleanField(default=False, db_default=False)
    email_consent_source = models.CharField(
        max_length=20, choices=ConsentSource.choices, default=ConsentSource.UNKNOWN,
        db_default=ConsentSource.UNKNOWN,
    )
    email_consent_at = models.DateTimeField(null=True, blank=True)
    email_unsubscribed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set by the unsubscribe link in an email; stops email only."
    )
    phone_invalid_reason = models.CharField(max_length=200, blank=True, default="", db_default="",
                                            help_text="Why texts cannot reach the number (Twilio's error).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="patient_external_id_unique"
            ),
        ]
        indexes = [
            # Patient list: search by name within the user's locations.
            models.Index(fields=["location", "last_name", "first_name"], name="patient_loc_name_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def treatment_history(self, limit: int = 10) -> list[dict]:
        """Visits newest first, dated in their location's zone: what inbox items carry as context["history"]."""
        visits = self.visits.select_related("service", "provider", "location").order_by("-starts_at")[:limit]
        return [
            {"date": v.starts_at.astimezone(v.location.tz).date().isoformat(), "service": v.service.name,
             "provider": v.provider.name if v.provider else "", "status": v.get_status_display(),
             "value": str(v.value)}
            for v in visits
        ]

    @property
    def can_text(self) -> bool:
        return may_text(self.phone, self.sms_consent, self.sms_opted_out_at, self.phone_invalid_at)

    @property
    def can_email(self) -> bool:
        return may_email(self.email, self.email_consent, self.email_unsubscribed_at)

    @property
    def text_contact(self) -> "Contact":
        """How a text may reach the patient: one fact, the first that applies."""
        if self.sms_opted_out_at:
            return Contact.OPTED_OUT
        if not self.phone:
            return Contact.NO_PHONE
        if self.phone_invalid_at:
            return Contact.NUMBER_CANNOT_TEXT
        return Contact.TEXT_ALLOWED if self.sms_consent else Contact.NO_CONSENT

    @property
    def email_contact(self) -> "Contact":
        if self.email_unsubscribed_at:
            return Contact.EMAIL_UNSUBSCRIBED
        if not self.email:
            return Contact.NO_EMAIL
        return Contact.EMAIL_ALLOWED if self.email_consent else Contact.NO_CONSENT

    @property
    def contact(self) -> str:
        """Both facts in words, for pages and `recall_status`: the text fact, then the email fact when there is
        an address or an unsubscribe ("no consent on file" once when neither channel has consent)."""
        text, email = self.text_contact, self.email_contact
        facts = [text.label]
        if email == Contact.NO_CONSENT and text != Contact.NO_CONSENT:
            facts.append("no email consent on file")
        elif email not in (Contact.NO_EMAIL, text):
            facts.append(email.label)
        return "; ".join(facts)

    @transaction.atomic
    def record_consent(self, channel: str, given: bool, source: str, actor=None, now=None) -> bool:
        """Staff record what the patient said about texts or email (intake form, patient page) on a saved
        patient. Returns True when something changed; each change is a ConsentEvent with its source and time.
        Recording consent for texts never overrides a STOP the patient sent by text: they text START."""
        now = now or timezone.now()
        prefix = "sms" if channel == ConsentEvent.Channel.SMS else "email"
        unsubscribed = prefix == "email" and self.email_unsubscribed_at is not None
        if given == getattr(self, f"{prefix}_consent") and not (given and unsubscribed):
            return False
        if given and prefix == "sms" and self.sms_opted_out_at:
            return False
        setattr(self, f"{prefix}_consent", given)
        if given:
            setattr(self, f"{prefix}_consent_source", source)
        setattr(self, f"{prefix}_consent_at", now if given else None)
        fields = [f"{prefix}_consent", f"{prefix}_consent_source", f"{prefix}_consent_at", "updated_at"]
        if given and unsubscribed:
            self.email_unsubscribed_at = None
            fields.append("email_unsubscribed_at")
        self.save(update_fields=fields)
        ConsentEvent.objects.create(
            patient=self, channel=channel, phone=str(self.phone or "") if prefix == "sms" else "",
            email=self.email if prefix == "email" else "", source=source, created_at=now,
            kind=ConsentEvent.Kind.OPT_IN if given else ConsentEvent.Kind.OPT_OUT,
            note=f"Recorded by {actor.get_username()}" if getattr(actor, "is_authenticated", False) else "")
        return True

    @transaction.atomic
    def unsubscribe_email(self, source: str, now=None) -> bool:
        """The patient clicked the unsubscribe link in an email: no more email, texts unchanged. Returns
        False when they were already unsubscribed (a second click records nothing)."""
        now = now or timezone.now()
        if not Patient.objects.filter(pk=self.pk, email_unsubscribed_at__isnull=True).update(
                email_unsubscribed_at=now, updated_at=now):
            return False
        self.email_unsubscribed_at = now
        ConsentEvent.objects.create(patient=self, channel=ConsentEvent.Channel.EMAIL, email=self.email,
                                    kind=ConsentEvent.Kind.OPT_OUT, source=source, created_at=now)
        return True

    @classmethod
    @transaction.atomic
    def opt_out_phone(cls, phone: str, source: str, note: str = "") -> int:
        """STOP from a number opts out every patient sharing it. Returns how many changed."""
        now = timezone.now()
        changed = 0
        for patient in cls.objects.select_for_update().filter(phone=phone):
            if patient.sms_opted_out_at is None:
                patient.sms_opted_out_at = now
                patient.save(update_fields=["sms_opted_out_at", "updated_at"])
                changed += 1
            ConsentEvent.objects.create(
                patient=patient, phone=phone, kind=ConsentEvent.Kind.OPT_OUT, source=source, note=note
            )
        return changed

    @classmethod
    def mark_phone_unreachable(cls, phone: str, reason: str, now=None) -> int:
        """The carrier says `phone` cannot take texts. Returns how many patients newly became not textable."""
        return cls.objects.filter(phone=phone, phone_invalid_at__isnull=True).update(
            phone_invalid_at=now or timezone.now(), phone_invalid_reason=reason[:200], updated_at=timezone.now())

    @classmethod
    @transaction.atomic
    def opt_in_phone(cls, phone: str, source: str, note: str = "") -> int:
        now = timezone.now()
        changed = 0
        for patient in cls.objects.select_for_update().filter(phone=phone):
            patient.sms_opted_out_at = None
            patient.sms_consent = True
            patient.sms_consent_at = now
            patient.sms_consent_source = Patient.ConsentSource.KEYWORD
            patient.save(
                update_fields=[
                    "sms_opted_out_at", "sms_consent", "sms_consent_at", "sms_consent_source", "updated_at"
                ]
            )
            changed += 1
            ConsentEvent.objects.create(
                patient=patient, phone=phone, kind=ConsentEvent.Kind.OPT_IN, source=source, note=note
            )
        return changed


class ConsentEvent(models.Model):
    """Append-only record of every opt-in and opt-out (carriers and regulators ask for it)."""

    class Kind(models.TextChoices):
        OPT_IN = "opt_in", "Opted in"
        OPT_OUT = "opt_out", "Opted out"

    class Channel(models.TextChoices):
        SMS = "sms", "Texts"
        EMAIL = "email", "Email"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consent_events")
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.SMS, db_default=Channel.SMS)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True, default="", db_default="")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=40, help_text="sms_keyword, recall_link, carrier_21610, staff…")
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.phone} ({self.source}) {self.created_at:%Y-%m-%d}"


class VisitQuerySet(LocationScopedQuerySet):
    def completed(self):
        return self.filter(status=Visit.Status.COMPLETED)


class Visit(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    class Source(models.TextChoices):
        FRONT_DESK = "front_desk", "Front desk"
        IMPORT = "import", "History import"
        API = "api", "API"
        DEMO = "demo", "Demo data"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="visits")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="visits")
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="visits")
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    value = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.FRONT_DESK)
    import_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True,
        help_text="Hash of the imported row, so re-importing a file adds nothing.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            # Patient page and recall: a patient's visits for a service, newest first.
            models.Index(fields=["patient", "service", "-starts_at"], name="visit_patient_service_idx"),
            # Dashboards: visits per location over a date range.
            models.Index(fields=["location", "starts_at"], name="visit_location_start_idx"),
            # Dashboards: appointments booked (recorded) per location over a date range.
            models.Index(fields=["location", "created_at"], name="visit_location_created_idx"),
            # Dashboards: "did this patient complete a visit before/after t" as one index probe
            # (repeat share, protected appointments, consults shown).
            models.Index(fields=["patient", "status", "starts_at"], name="visit_patient_status_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="visit_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.service} for {self.patient} on {self.starts_at:%Y-%m-%d}"
