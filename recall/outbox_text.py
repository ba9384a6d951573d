"""A recall touch's wording and link, made when the dispatcher claims it for sending.

The sweep writes a queued touch without either (recall.sweep.Outcome says why). `materialize` runs
in the dispatcher's claim (`recall.dispatch._check`), for the message's lead touch, once the touch is
`sending` and owned by this worker and before its start is committed: the text and the link's hash are
on record before the request starts, and a retried or re-queued touch finds its body already written
and keeps the same text and link (the link table's unique touch_id would refuse a second link anyway).
Touches grouped into the lead's message are listed by the lead's link page (Touch.message). A touch
cancelled before its send never gets a link. The text is `recall.wording.render` of the rule's template
for the touch's kind, with the patient's first name, the clinic's name and the link, as the sweep made
it before.
"""

from datetime import datetime

from .models import RecallLink, RecallRule, Touch
from .models.links import link_url
from .wording import render


def materialize(touch: Touch, now: datetime) -> bool:
    """Give a claimed recall touch (patient and location loaded) its link and text, once; True when made now
    (the caller saves `body`)."""
    if touch.body or touch.source != Touch.Source.RECALL or touch.schedule_id is None:
        return False
    schedule, patient = touch.schedule, touch.patient
    rule = RecallRule.objects.filter(service_id=touch.service_id).first() or RecallRule.for_service(touch.service)
    _link, token = RecallLink.objects.issue(schedule=schedule, touch=touch, patient=patient, now=now)
    touch.body = render(rule.template_for(touch.kind), first_name=patient.first_name, clinic=patient.location.name,
                        link=link_url(token))
    return True
