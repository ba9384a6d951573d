"""Locations, staff, providers and the service catalog."""

import zoneinfo
from datetime import datetime, time, timedelta

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from phonenumber_field.modelfields import PhoneNumberField

from .numbers import claim_numbers, conflict_errors

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name such as America/Los_Angeles.")


def default_business_hours() -> dict:
    hours = {day: ["09:00", "18:00"] for day in WEEKDAYS[:5]}
    hours["sat"] = ["09:00", "15:00"]
    return hours


def validate_business_hours(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError("Business hours must map a weekday (mon..sun) to [open, close].")
    for day, span in value.items():
        if day not in WEEKDAYS:
            raise ValidationError(f"“{day}” is not a weekday; use mon, tue, wed, thu, fri, sat, sun.")
        try:
            opens, closes = (time.fromisoformat(s) for s in span)
        except (TypeError, ValueError):
            raise ValidationError(f"{day}: hours must look like [\"09:00\", \"18:00\"].") from None
        if opens >= closes:
            raise ValidationError(f"{day}: opening time must be before closing time.")


class LocationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(staff=user)


class Location(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True, blank=True)
    time_zone = models.CharField(max_length=64, default="America/Los_Angeles", validators=[validate_time_zone])
    business_hours = models.JSONField(default=default_business_hours, validators=[validate_business_hours])
    address = models.CharField(max_length=250, blank=True)
    phone = PhoneNumberField(blank=True, help_text="Public front-desk number.")
    sms_number = PhoneNumberField(blank=True, help_text="Twilio number texts are sent from.")
    voice_number = PhoneNumberField(blank=True, help_text="Twilio number callers dial.")
    on_call_number = PhoneNumberField(blank=True, help_text="Dialled for safety escalations, if set.")
    is_active = models.BooleanField(default=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # Numbers calls and texts are routed by; each belongs to one location or event (numbers.py).
    ROUTED_NUMBER_FIELDS = ("voice_number", "sms_number", "phone")

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:120]
        with transaction.atomic():
            super().save(*args, **kwargs)
            claim_numbers(self.number_holder, self.name, self, self.routed_numbers().values())

    def clean(self):
        errors = conflict_errors(self.number_holder, self.routed_numbers())
        if errors:
            raise ValidationError(errors)

    def routed_numbers(self) -> dict:
        return {name: getattr(self, name) for name in self.ROUTED_NUMBER_FIELDS}

    @property
    def number_holder(self) -> str:
        return f"location:{self.pk}"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local(self, moment: datetime | None = None) -> datetime:
        return (moment or timezone.now()).astimezone(self.tz)

    def hours_on(self, day: datetime) -> tuple[time, time] | None:
        span = self.business_hours.get(WEEKDAYS[day.weekday()])
        if not span:
            return None
        return time.fromisoformat(span[0]), time.fromisoformat(span[1])

    def is_open(self, moment: datetime | None = None) -> bool:
        local = self.local(moment)
        hours = self.hours_on(local)
        return bool(hours) and hours[0] <= local.time() < hours[1]

    def next_opening(self, moment: datetime | None = None) -> datetime:
        """The next time the front desk opens (or `moment` itself if it is open now)."""
        local = self.local(moment)
        for offset in range(8):
            day = local + timedelta(days=offset)
            hours = self.hours_on(day)
            if not hours:
                continue
            opens = datetime.combine(day.date(), hours[0], tzinfo=self.tz)
            closes = datetime.combine(day.date(), hours[1], tzinfo=self.tz)
            if local < opens:
                return opens
            if local < closes:
                return local
        return local  # no hours configured: treat as always open


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    PROVIDER = "provider", "Provider"
    OWNER = "owner", "Owner"
    # An external voice agent's account: may only post calls to the intake API for its locations
    # (no pages, no patient API, no password). Created with `manage.py create_voice_agent`.
    VOICE_AGENT = "voice_agent", "Voice agent (API only)"


class User(AbstractUser):
    """A staff member. Sees only the locations listed in `locations` (superusers see all)."""

    Role = Role

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.COORDINATOR)
    locations = models.ManyToManyField(Location, related_name="staff", blank=True)

    objects = UserManager()

    @property
    def is_owner(self) -> bool:
        return self.is_superuser or self.role == Role.OWNER

    def location_ids(self) -> list[int]:
        if not hasattr(self, "_location_ids"):
            qs = Location.objects.all() if self.is_superuser else self.locations.all()
            self._location_ids = list(qs.values_list("id", flat=True))
        return self._location_ids


class Provider(models.Model):
    name = models.CharField(max_length=120)
    title = models.CharField(max_length=40, blank=True, help_text="RN, NP, PA, MD, aesthetician…")
    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.SET_NULL)
    locations = models.ManyToManyField(Location, related_name="providers")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name


class Category(models.TextChoices):
    INJECTABLE = "injectable", "Injectable"
    LASER = "laser", "Laser"
    SKIN = "skin", "Skin"
    FACIAL = "facial", "Facial"
    BODY = "body", "Body"
    WELLNESS = "wellness", "Wellness"
    CONSULT = "consult", "Consultation"


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def lookup_table(self) -> dict[str, "Service"]:
        """Lower-cased name and alias -> Service, for imports and triage."""
        table: dict[str, Service] = {}
        for service in self:
            for key in [service.name, *service.aliases]:
                table.setdefault(key.strip().lower(), service)
        return table

    def match(self, text: str) -> "Service | None":
        return self.lookup_table().get((text or "").strip().lower())


class Service(models.Model):
    Category = Category

    name = models.CharField(max_length=80, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    return_interval_days = models.PositiveIntegerField(
        help_text="Days after a completed visit when the patient is due again."
    )
    aliases = models.JSONField(default=list, blank=True, help_text="Other names used in imports and calls.")
    typical_value = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    is_active = models.BooleanField(default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(return_interval_days__gte=1), name="service_interval_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) for a in self.aliases):
            raise ValidationError({"aliases": "Aliases must be a list of names."})
        taken = Service.objects.exclude(pk=self.pk).lookup_table()
        for key in [self.name, *self.aliases]:
            other = taken.get(key.strip().lower())
            if other:
                raise ValidationError({"aliases": f"“{key}” already names {other}."})
