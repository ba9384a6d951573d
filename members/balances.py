"""What a member's figures are right now, for call summaries and the voice flow.

`member_snapshot(patient)` reads the ledger, plan, bundles and deposits (the same sources as the
pages); it never guesses. `members.figures` shapes it for staff and for a verified caller
(`medspa.callers.verify_caller` is the identity check).
"""

from datetime import date

from .models import Bundle, CreditLedgerEntry, Deposit, Membership


def member_snapshot(patient, today: date | None = None) -> dict:
    """Plain JSON-ready figures. Keys: member (bool), plan, status, balance {kind, amount, text},
    renewal_date, cancellation {notice_days, deadline, effective_on, minimum_term_ends_on},
    bundles [...], deposits_held [...], context (the Handoff.context["member"] shape)."""
    today = today or patient.location.local().date()
    membership = (
        Membership.objects.filter(patient=patient).live()
        .select_related("plan", "plan__credit_service", "location").first()
    )
    bundles = [
        {
            "service": bundle.service.name, "sessions_purchased": bundle.sessions_purchased,
            "remaining": bundle.remaining, "expires_on": bundle.expires_on.isoformat() if bundle.expires_on else None,
            "expired": bundle.is_expired(today),
        }
        for bundle in Bundle.objects.filter(patient=patient).with_remaining().select_related("service")
        .order_by("expires_on", "id")
        if bundle.remaining > 0
    ]
    deposits = [
        {"amount": str(d.amount), "taken_on": d.taken_on.isoformat(), "event_id": d.event_id,
         "event": d.event.name if d.event else None, "visit_id": d.visit_id}
        for d in Deposit.objects.filter(patient=patient).held().select_related("event").order_by("taken_on")
    ]
    snapshot = {"member": membership is not None, "bundles": bundles, "deposits_held": deposits}
    if membership is None:
        snapshot["context"] = {"plan": "", "status": "not a member", "balance": "", "renewal_date": ""}
        return snapshot
    plan = membership.plan
    balance = CreditLedgerEntry.objects.balance(membership)
    renewal = None if membership.status in (Membership.Status.CANCELLED, Membership.Status.ENDED) else (
        membership.next_renewal_on)
    snapshot.update({
        "membership_id": membership.pk,
        "plan": plan.name,
        "monthly_fee": str(plan.monthly_fee),
        "status": membership.status,
        "status_display": membership.get_status_display(),
        "balance": {
            "kind": plan.credit_kind,
            "service": plan.credit_service.name if plan.credit_service else None,
            "amount": str(balance),
            "text": plan.format_credits(balance),
        },
        "renewal_date": renewal.isoformat() if renewal else None,
        "frozen_until": membership.freeze_ends_on.isoformat() if membership.freeze_ends_on else None,
        "cancellation": {
            "notice_days": plan.cancellation_notice_days,
            "minimum_term_ends_on": membership.minimum_term_ends_on().isoformat(),
            "deadline": d.isoformat() if (d := membership.cancellation_deadline(today)) else None,
            "requested_on": (membership.cancellation_requested_on.isoformat()
                             if membership.cancellation_requested_on else None),
            "effective_on": (membership.cancellation_effective_on.isoformat()
                             if membership.cancellation_effective_on else None),
        },
    })
    snapshot["context"] = {
        "plan": plan.name, "status": membership.get_status_display(), "balance": plan.format_credits(balance),
        "renewal_date": snapshot["renewal_date"] or "",
    }
    return snapshot
