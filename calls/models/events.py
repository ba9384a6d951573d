"""Events and campaigns: what a caller saw, and how an incoming call is attributed to it."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from medspa.models import Location, Service
from medspa.models.numbers import claim_numbers, conflict_errors, release_numbers
from medspa.models.scoping import LocationScopedQuerySet


class EventQuerySet(LocationScopedQuerySet):
    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now())


class Event(models.Model):
    class Kind(models.TextChoices):
        OPEN_HOUSE = "open_house", "Open house"
        VIP_NIGHT = "vip_night", "VIP night"
        INJECTABLE_DAY = "injectable_day", "Injectable day"
        LASER_SPECIAL = "laser_special", "Laser special"
        SEASONAL = "seasonal", "Seasonal offer"

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    rsvp_deadline = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Guests; blank for no limit.")
    offer_text = models.TextField(blank=True, help_text="The offer exactly as advertised.")
    services = models.ManyToManyField(Service, blank=True, related_name="events")
    source_codes = models.JSONField(
        default=list, blank=True, help_text="Codes printed on the invitation or ad, e.g. VIPSPRING, IG-OPENHOUSE."
    )
    tracking_number = PhoneNumberField(
        blank=True, help_text="A Twilio number printed only on this campaign; calls to it are attributed here."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tracking_number"], condition=~Q(tracking_number=""), name="event_tracking_number_unique",
                violation_error_message="Another event already uses this tracking number.",
            ),
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start",
                                   violation_error_message="The event must end after it starts."),
        ]
        indexes = [
            # Attribution by kind/date: a location's events around the call time.
            models.Index(fields=["location", "kind", "starts_at"], name="event_location_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The tracking number is claimed against every location's and event's numbers (medspa numbers.py).
        with transaction.atomic():
            super().save(*args, **kwargs)
            claim_numbers(self.number_holder, f"event {self.name}", self.location, [self.tracking_number])

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": "The event must end after it starts."})
        if self.rsvp_deadline and self.ends_at and self.rsvp_deadline > self.ends_at:
            raise ValidationError({"rsvp_deadline": "The RSVP deadline must be before the event ends."})
        codes = self.source_codes
        if not isinstance(codes, list) or not all(isinstance(c, str) and c.strip() for c in codes):
            raise ValidationError({"source_codes": "Source codes must be a list of words."})
        self.source_codes = [c.strip().upper() for c in codes]
        errors = conflict_errors(self.number_holder, {"tracking_number": self.tracking_number})
        if errors:
            raise ValidationError(errors)

    @property
    def number_holder(self) -> str:
        return f"event:{self.pk}"

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()


@receiver(post_delete, sender=Event)
def _release_tracking_number(sender, instance, **kwargs):
    release_numbers(instance.number_holder)
