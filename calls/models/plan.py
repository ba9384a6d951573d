"""The call plan: each location's own approved wording, versioned.

An owner edits the current answers; saving publishes a new immutable `CallPlanVersion`. Calls record
which version (and which answers) they used, so a summary can always show exactly what was said.
Each answer may carry Spanish wording beside the English (`wording_es`): a caller or texter the triage
engine hears in Spanish gets it where the owner approved it, and the English wording otherwise.
"""

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone

from medspa.models import Location, log_action


class Topic(models.TextChoices):
    GREETING = "greeting", "Greeting"
    EVENTS = "events", "Events and offers"
    DEPOSITS = "deposits", "Deposits"
    CANCELLATION = "cancellation", "Cancellation"
    NO_SHOW = "no_show", "No-show"
    FINANCING = "financing", "Financing"
    MEMBER_CREDITS = "member_credits", "Member credits"
    RENEWAL = "renewal", "Membership renewal"
    BUNDLES = "bundles", "Treatment bundles"
    CALLBACK_CONFIRMATION = "callback_confirmation", "Callback confirmation"
    CLOSING = "closing", "Closing"
    EMERGENCY = "emergency", "Emergency script"


# Placeholders an owner may use; anything else in braces is rejected when publishing.
PLACEHOLDERS = {"clinic", "window"}
# A member's own figures, filled from the ledger and plan (calls.members_bridge.figures) and said only to a
# caller verified by number on file + date of birth. Allowed only in the member topics below; wording that
# uses them is never said when a figure is missing or the caller is not verified.
MEMBER_PLACEHOLDERS = {"plan", "balance", "renewal_date", "cancel_by", "sessions_left", "bundle_expires"}
MEMBER_TOPICS = ("member_credits", "renewal", "bundles")
REQUIRED_TOPICS = (Topic.EMERGENCY, Topic.GREETING, Topic.CLOSING)

# A new location starts with clinic-style wording for the fixed parts of a call. Policy topics
# (deposits, financing, credits...) start empty: until the owner approves wording, those
# questions go to staff rather than being answered.
DEFAULT_WORDING = {
    Topic.GREETING: "Thank you for calling {clinic}. I can take your details and have our team call you back. "
                    "How can we help you today?",
    Topic.CALLBACK_CONFIRMATION: "Thank you. Our team will call you back {window}.",
    Topic.CLOSING: "Thank you for calling {clinic}. Goodbye.",
    Topic.EMERGENCY: "If you are having trouble breathing or swallowing, or a change in your vision, hang up and "
                     "call 911 now. I am alerting our clinical team to call you back right away.",
}


def placeholder_names(wording: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(wording) if name is not None}


def check_placeholders(wording: str, topic: str = "") -> None:
    allowed = PLACEHOLDERS | (MEMBER_PLACEHOLDERS if str(topic) in MEMBER_TOPICS else set())
    try:
        names = placeholder_names(wording)
    except ValueError:
        raise ValidationError("Unbalanced braces: use {clinic} or {window} exactly.") from None
    unknown = names - allowed
    if unknown:
        listed = ", ".join(f"{{{name}}}" for name in sorted(allowed))
        raise ValidationError(f"Unknown placeholder {{{sorted(unknown)[0]}}}; only {listed} are filled in here.")


def member_placeholders(wording: str) -> set[str]:
    """The member figures this wording would say out loud."""
    try:
        return placeholder_names(wording) & MEMBER_PLACEHOLDERS
    except ValueError:
        return set()


def fill(wording: str, *, clinic: str = "", window: str = "", figures: dict | None = None) -> str:
    text = wording.replace("{clinic}", clinic).replace("{window}", window or "soon")
    for name, value in (figures or {}).items():
        if name in MEMBER_PLACEHOLDERS:
            text = text.replace("{" + name + "}", str(value))
    return text


class CallPlan(models.Model):
    location = models.OneToOneField(Location, on_delete=models.CASCADE, related_name="call_plan")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Call plan for {self.location}"

    @property
    def current(self) -> "CallPlanVersion | None":
        return self.versions.order_by("-number").first()

    @classmethod
    def current_for(cls, location: Location) -> "CallPlanVersion":
        """The location's published version, seeding the default wording on first use."""
        plan, _ = cls.objects.get_or_create(location=location)
        version = plan.current
        if version is None:
            try:
                with transaction.atomic():
                    version = plan.publish(DEFAULT_WORDING, user=None, note="Default wording")
            except IntegrityError:  # another request seeded it first
                version = plan.current
        return version

    @transaction.atomic
    def publish(self, answers: dict, *, user, note: str = "", answers_es: dict | None = None) -> "CallPlanVersion":
        """Save `answers` (topic -> wording) as the next version. Blank wording means "not approved".

        `answers_es` (topic -> Spanish wording) sits beside the English; a topic needs English wording first."""
        answers = {Topic(topic): (wording or "").strip() for topic, wording in answers.items()}
        answers_es = {Topic(topic): (wording or "").strip() for topic, wording in (answers_es or {}).items()}
        errors = {}
        for topic, wording in answers_es.items():
            if wording and not answers.get(topic):
                errors[f"{topic.value}_es"] = "Add the English wording first; Spanish wording sits beside it."
                continue
            try:
                check_placeholders(wording, topic)
            except ValidationError as exc:
                errors[f"{topic.value}_es"] = exc.messages[0]
        for topic in REQUIRED_TOPICS:
            if not answers.get(topic):
                errors[topic.value] = f"The {topic.label.lower()} is required before the plan can be published."
        for topic, wording in answers.items():
            try:
                check_placeholders(wording, topic)
            except ValidationError as exc:
                errors.setdefault(topic.value, exc.messages[0])
        if errors:
            raise ValidationError(errors)
        CallPlan.objects.select_for_update().get(pk=self.pk)
        number = (self.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = CallPlanVersion.objects.create(plan=self, number=number, created_by=user, note=note[:200])
        ApprovedAnswer.objects.bulk_create(
            ApprovedAnswer(version=version, topic=topic, wording=wording, wording_es=answers_es.get(topic, ""))
            for topic, wording in answers.items() if wording
        )
        log_action(user, "call_plan.published", version, location=self.location, number=number,
                   topics=sorted(t.value for t, w in answers.items() if w),
                   spanish_topics=sorted(t.value for t, w in answers_es.items() if w))
        return version


class CallPlanVersion(models.Model):
    plan = models.ForeignKey(CallPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="call_plan_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.plan.location} call plan v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("force_update_published", False):
            raise ValidationError("A published call plan version cannot be changed; publish a new one.")
        super().save(*args, **kwargs)

    def wording(self) -> dict[str, str]:
        """topic -> approved wording (only topics with approved wording)."""
        if not hasattr(self, "_wording"):
            self._wording = {a.topic: a.wording for a in self.answers.all()}
        return self._wording

    def wording_es(self) -> dict[str, str]:
        """topic -> approved Spanish wording (only topics that have it)."""
        if not hasattr(self, "_wording_es"):
            self._wording_es = {a.topic: a.wording_es for a in self.answers.all() if a.wording_es}
        return self._wording_es

    def wording_in(self, language: str) -> dict[str, str]:
        """The wording a caller in `language` hears: Spanish where approved, English otherwise."""
        if language == "es":
            return {**self.wording(), **self.wording_es()}
        return self.wording()


class ApprovedAnswer(models.Model):
    version = models.ForeignKey(CallPlanVersion, on_delete=models.CASCADE, related_name="answers")
    topic = models.CharField(max_length=24, choices=Topic.choices)
    wording = models.TextField()
    wording_es = models.TextField(blank=True, help_text="Spanish wording, said to callers and texters in Spanish.")

    class Meta:
        ordering = ["version", "topic"]
        constraints = [models.UniqueConstraint(fields=["version", "topic"], name="approved_answer_topic_unique")]

    def __str__(self) -> str:
        return f"v{self.version.number} {self.get_topic_display()}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError("Approved wording is immutable; publish a new version.")
        super().save(*args, **kwargs)
