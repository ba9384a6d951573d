"""Where a call, reply or request goes next. Shared by the triage engine and the inbox."""

from django.db import models


class Route(models.TextChoices):
    # Listed in order of precedence: the first route any utterance triggers wins.
    SAFETY_ESCALATION = "safety_escalation", "Safety escalation"
    PROVIDER_REVIEW = "provider_review", "Provider review"
    STAFF_REVIEW = "staff_review", "Staff review"
    MEMBER_SUPPORT = "member_support", "Member support"
    BUNDLE_HELP = "bundle_help", "Bundle help"
    EVENT_FOLLOW_UP = "event_follow_up", "Event follow-up"
    REBOOKING = "rebooking", "Rebooking"
    BOOKING = "booking", "Booking"
    # Not produced by triage: raised by the system itself (bad phone numbers, import problems).
    DATA_QUALITY = "data_quality", "Data quality"


TRIAGE_PRECEDENCE: tuple[str, ...] = tuple(r.value for r in Route if r != Route.DATA_QUALITY)
