"""Recall rules: one per catalog service, owner-edited, defaults from the catalog interval."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ..wording import validate_template

DEFAULT_TEMPLATES = {
    "on_time": "Hi {first_name}, it's {clinic}. You're coming up on the time for your next visit with us. "
               "Pick a time that suits you here: {link} Reply STOP to opt out.",
    "late": "Hi {first_name}, {clinic} here. Just checking in, as it has been a little while since your last "
            "visit. If you'd like to come back in, ask for a time here: {link} Reply STOP to opt out.",
    "reactivation": "Hi {first_name}, it's been a while and we hope you're well. {clinic} would be glad to see "
                    "you again whenever it suits you. No rush: {link} Reply STOP to opt out.",
}


class TouchKind(models.TextChoices):
    ON_TIME = "on_time", "On-time reminder"
    LATE = "late", "Late nudge"
    REACTIVATION = "reactivation", "Reactivation"


class MemberKind(models.TextChoices):
    """Member touchpoints (members.touchpoints.Kind), sent through the same outbox."""

    RENEWAL = "renewal_reminder", "Renewal coming up"
    CREDITS_EXPIRING = "credits_expiring", "Credits about to expire"
    BUNDLE_IDLE = "bundle_idle", "Bundle sessions unused"
    BUNDLE_EXPIRING = "bundle_expiring", "Bundle expiring"


# Every kind a Touch (and an Attribution) can have.
ALL_KIND_CHOICES = TouchKind.choices + MemberKind.choices
KIND_MAX_LENGTH = 20


class ChannelChoice(models.TextChoices):
    """How a rule's reminders reach a patient; decided at send time from the patient's contact facts then
    (recall.dispatch.choose_channel). A patient reachable by neither channel stays on the call list."""

    TEXT_FIRST = "text_first", "Text first: email when texting is not allowed or the number cannot take texts"
    EMAIL_FIRST = "email_first", "Email first: text when email is not allowed"
    EMAIL_IF_NO_TEXT = "email_if_no_text", "Text; email only patients who may not be texted"


class RecallRule(models.Model):
    """When a service's patients are due again and what they are sent.

    Thresholds count days from the due date (last completed visit + interval): the window opens
    `window_opens_days` before it, `late` starts `late_after_days` after it and `lapsed`
    `lapsed_after_days` after it. One touch per stage (on-time, late, reactivation), at most
    `max_touches` per cycle and at least `min_days_between` days apart. A schedule lapsed for
    `stop_after_lapsed_days` days is closed without a touch (0: never), so a history import does not
    text everyone who left years ago.
    """

    service = models.OneToOneField("medspa.Service", on_delete=models.CASCADE, related_name="recall_rule")
    interval_days = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Days after a completed visit when the patient is due again."
    )
    window_opens_days = models.PositiveIntegerField(default=7, validators=[MaxValueValidator(120)])
    late_after_days = models.PositiveIntegerField(default=21, validators=[MinValueValidator(1)])
    lapsed_after_days = models.PositiveIntegerField(default=90, validators=[MinValueValidator(2)])
    max_touches = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(3)])
    min_days_between = models.PositiveSmallIntegerField(default=14, validators=[MinValueValidator(1)])
    stop_after_lapsed_days = models.PositiveIntegerField(
        default=365, help_text="Days after lapsing when recall gives up and closes the schedule without a "
                               "touch (0 = never). Keeps an imported history from texting people who left long ago.",
    )
    on_time_template = models.TextField(default=DEFAULT_TEMPLATES["on_time"])
    late_template = models.TextField(default=DEFAULT_TEMPLATES["late"])
    reactivation_template = models.TextField(default=DEFAULT_TEMPLATES["reactivation"])
    channel = models.CharField(
        "How to reach patients", max_length=16, choices=ChannelChoice.choices, default=ChannelChoice.TEXT_FIRST,
        db_default=ChannelChoice.TEXT_FIRST,
        help_text="Decided when each reminder is sent, from the patient's consent then. Emails use the same "
                  "wording and link, with an unsubscribe link.")
    is_active = models.BooleanField(default=True, help_text="Off: no recall texts for this service.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service__name"]
        constraints = [
            models.CheckConstraint(condition=Q(lapsed_after_days__gt=models.F("late_after_days")),
                                   name="recall_rule_lapsed_after_late"),
        ]

    def __str__(self) -> str:
        return f"Recall for {self.service}"

    @classmethod
    def for_service(cls, service) -> "RecallRule":
        rule, _ = cls.objects.get_or_create(service=service, defaults={"interval_days": service.return_interval_days})
        return rule

    @classmethod
    def defaults_for(cls, service) -> "RecallRule":
        """An unsaved rule with the defaults (used when evaluating without writing)."""
        return cls(service=service, interval_days=service.return_interval_days)

    @property
    def channel_short(self) -> str:
        """The choice in two or three words (settings list)."""
        return {ChannelChoice.TEXT_FIRST: "Text first", ChannelChoice.EMAIL_FIRST: "Email first",
                ChannelChoice.EMAIL_IF_NO_TEXT: "Email only where no text"}.get(self.channel, self.channel)

    def template_for(self, kind: str) -> str:
        return getattr(self, f"{kind}_template")

    def clean(self):
        errors = {}
        if self.lapsed_after_days is not None and self.late_after_days is not None \
                and self.lapsed_after_days <= self.late_after_days:
            errors["lapsed_after_days"] = "Lapsed must come after late."
        for kind in TouchKind.values:
            try:
                validate_template(self.template_for(kind))
            except ValidationError as exc:
                errors[f"{kind}_template"] = exc.messages
        if errors:
            raise ValidationError(errors)
