"""A recall touch's wording and link, made when the dispatcher claims it for sending.

The touch is made without either (recall.sweep.Outcome says why). `materialize` runs in the
dispatcher's claim (`recall.dispatch.claim_messages`), for the messages' lead touches, once they are
`sending` and owned by this worker; the text is stored by the statement that commits the send's start
(recall.dispatch.start_sending), so the text and the link's hash are on record before the request
starts, and a retried or re-queued touch finds its body already written and keeps the same text and
link (one link per touch: the link table's touch_id is unique).
Touches grouped into the lead's message are listed by the lead's link page (Touch.message). A touch
cancelled before its send never gets a link. The text is `recall.wording.render` of the rule's template
for the touch's kind, with the patient's first name, the clinic's name and the link, as the sweep made
it before.
"""

from datetime import datetime

from .models import RecallLink, RecallRule, Touch
from .models.links import link_url, new_token
from .wording import render


def materialize(leads: list[Touch], now: datetime) -> None:
    """Give the claimed recall leads that have none (patient, location and rule read by the claim) their link
    and text. The text is stored with the send's start (recall.dispatch.start_sending), so a
    text is on record exactly when its send may have started, and a lead claimed again after a send that never
    started is given a new text and link then.

    For all of them at once: their rules as the claim read them, one insert of their links (measured: made one
    touch at a time, a rule read, a link and a text update were three statements per text, and the dispatcher
    ran at a third of the bare client's rate)."""
    todo = [t for t in leads if not t.body and t.source == Touch.Source.RECALL and t.schedule_id is not None]
    if not todo:
        return
    tokens = [new_token() for _ in todo]
    # A link left by a claim whose send never started (the worker stopped first; its text was never sent nor
    # stored) gets this token instead: one link per touch.
    RecallLink.objects.bulk_create([
        RecallLink.for_token(token, now, schedule_id=t.schedule_id, touch=t, patient_id=t.patient_id)
        for t, token in zip(todo, tokens, strict=True)],
        update_conflicts=True, unique_fields=["touch"], update_fields=["token_hash", "created_at", "expires_at"])
    for t, token in zip(todo, tokens, strict=True):
        t.body = render(_rule(t).template_for(t.kind), first_name=t.patient.first_name,
                        clinic=t.patient.location.name, link=link_url(token))


def _rule(touch: Touch) -> RecallRule:
    """The touch's rule as the claim read it (recall.dispatch.claim_sql); a service without one gets its default
    rule, created now."""
    if touch.r_id is None:
        return RecallRule.for_service(touch.service)
    return RecallRule(pk=touch.r_id, service_id=touch.service_id, on_time_template=touch.r_on_time_template,
                      late_template=touch.r_late_template, reactivation_template=touch.r_reactivation_template)
