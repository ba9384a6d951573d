"""A recall touch's wording and link, made when the dispatcher claims it for sending.

The sweep writes a queued touch without either (recall.sweep.new_touch says why). `materialize` runs
inside `recall.dispatch.claim_touch`, with the touch row locked FOR UPDATE, just before the claim is
committed: the text and the link's hash are on record before the request to Twilio starts, and a
retried or re-queued touch finds its body already written and keeps the same text and link (the link
table's unique touch_id would refuse a second link anyway). A touch cancelled before its send never
gets a link. The text is `recall.wording.render` of the rule's template for the touch's kind, with the
patient's first name, the clinic's name and the link, as the sweep made it before.
"""

from datetime import datetime

from .models import RecallLink, RecallRule, Touch
from .models.links import link_url
from .wording import render


def materialize(touch: Touch, now: datetime) -> None:
    """Give a claimed recall touch (patient, location and schedule loaded) its link and text, once."""
    if touch.body or touch.source != Touch.Source.RECALL or touch.schedule_id is None:
        return
    schedule, patient = touch.schedule, touch.patient
    rule = RecallRule.objects.filter(service_id=schedule.service_id).first() or RecallRule.for_service(
        schedule.service)
    _link, token = RecallLink.objects.issue(schedule=schedule, touch=touch, patient=patient, now=now)
    touch.body = render(rule.template_for(touch.kind), first_name=patient.first_name, clinic=patient.location.name,
                        link=link_url(token))
