"""Members pages: the members list, a member's page with the ledger, the patient-page panel
(memberships, bundles, deposits) and the owner's plan editor. Business rules live in the models,
`ledger.py` and `bundles.py`; views check access, call them and show the result."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from calls.models import Topic
from calls.plan import wording_at, wording_history
from medspa.htmx import for_htmx
from medspa.models import Location, Patient, Visit, log_action, log_read, log_reads
from medspa.permissions import owner_required, shared_owner_required, staff_required

from . import ledger
from .bundles import redeem_session
from .forms import (
    AdjustmentForm,
    BundleForm,
    CancelForm,
    DepositForm,
    DepositSettleForm,
    FreezeForm,
    PlanForm,
    RedeemCreditForm,
    StartMembershipForm,
)
from .models import Bundle, Deposit, Membership, MembershipPlan
from .models.memberships import OWNER_ONLY

Status = Membership.Status
EXPIRING_WINDOW_DAYS = 30
FILTERS = {
    "": "All current",
    "past_due": "Past due",
    "renewing": "Renewing this week",
    "expiring": "Credits expiring (30 days)",
    "frozen": "Frozen",
    "cancelled": "Cancelling",
    "ended": "Ended",
}


def _today(user) -> date:
    """Today in the time zone of the user's (first) location: the front desk's calendar day."""
    location = Location.objects.filter(pk__in=user.location_ids()).first()
    return location.local().date() if location else timezone.localdate()


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# -- members list ----------------------------------------------------------------------------------

@staff_required
@for_htmx(if_hx_target="member-rows", use_template="members/_member_rows.html")
def member_list(request):
    today = _today(request.user)
    show = request.GET.get("show", "")
    show = show if show in FILTERS else ""
    query = request.GET.get("q", "").strip()
    members = (
        Membership.objects.visible_to(request.user)
        .select_related("patient", "plan", "plan__credit_service", "location")
        .with_balance()
        .with_expiring(today + timedelta(days=EXPIRING_WINDOW_DAYS))
    )
    members = members.filter(status=Status.ENDED) if show == "ended" else members.live()
    if show == "past_due":
        members = members.filter(status=Status.PAST_DUE)
    elif show == "renewing":
        members = members.filter(status=Status.ACTIVE, next_renewal_on__range=(today, today + timedelta(days=7)))
    elif show == "expiring":
        members = members.filter(expiring__gt=0)
    elif show in ("frozen", "cancelled"):
        members = members.filter(status=show)
    if query:
        members = members.filter(patient__in=Patient.objects.visible_to(request.user).search(query))
    members = members.order_by("next_renewal_on", "patient__last_name", "id")
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "show": show, "filters": FILTERS, "today": today}
    log_reads(request, "member.searched" if query else "member.listed", [m.patient for m in page], q=query)
    return TemplateResponse(request, "members/member_list.html", context)


# -- member page -----------------------------------------------------------------------------------

def _get_membership(request, pk) -> Membership:
    return get_object_or_404(
        Membership.objects.visible_to(request.user).select_related("patient", "plan", "plan__credit_service",
                                                                     "location"),
        pk=pk,
    )


def _detail(request, membership, *, status=200, **forms):
    today = membership.local_today()
    actions = membership.allowed_actions(request.user)
    entries = membership.ledger.select_related("visit", "visit__service", "created_by", "service").order_by(
        "-created_at", "-id")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    context = {
        "membership": membership,
        "plan": membership.plan,
        "balance": membership.balance(),
        "today": today,
        "page": page,
        "changes": membership.status_changes.select_related("changed_by")[:50],
        "deadline": membership.cancellation_deadline(today),
        "actions": actions,
        "cancel_preview": membership.cancellation_effective_date(today) if "cancel" in actions else None,
        "freeze_left": max(membership.plan.max_freeze_months_per_year - membership.freeze_months_used(today), 0),
        "freeze_form": forms.get("freeze_form") or FreezeForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(initial={"requested_on": today}),
        "adjust_form": forms.get("adjust_form") or AdjustmentForm(),
        "redeem_form": forms.get("redeem_form") or RedeemCreditForm(membership=membership),
    }
    return render(request, "members/member_detail.html", context, status=status)


@staff_required
def member_detail(request, pk):
    membership = _get_membership(request, pk)
    log_read(request, "member.ledger_viewed", membership, patient=membership.patient)
    return _detail(request, membership)


ACTIONS = {
    # action (Membership.allowed_actions): (method, form class or None)
    "freeze": ("freeze", FreezeForm),
    "unfreeze": ("unfreeze", None),
    "cancel": ("cancel", CancelForm),
    "withdraw": ("withdraw_cancellation", None),
    "past_due": ("mark_past_due", None),
    "reactivate": ("reactivate", None),
    "end": ("end", None),
}


@staff_required
@require_POST
def member_action(request, pk, action):
    membership = _get_membership(request, pk)
    if action not in ACTIONS:
        raise PermissionDenied("Unknown action.")
    method, form_class = ACTIONS[action]
    if action in OWNER_ONLY and not request.user.is_owner:
        raise PermissionDenied("Only an owner can do this.")
    kwargs = {"by": request.user}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return _detail(request, membership, status=400, **{f"{action}_form": form})
        kwargs.update(form.cleaned_data)
    else:
        kwargs["note"] = request.POST.get("note", "")[:250]
    try:
        result = getattr(membership, method)(**kwargs)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        if action == "cancel":
            messages.success(request, f"Cancellation recorded. The membership ends on {result:%b %-d, %Y}; "
                                      f"no charge from that date.")
        else:
            messages.success(request, f"Membership is now {membership.get_status_display().lower()}.")
    return redirect("members:detail", pk=membership.pk)


@owner_required
@require_POST
def member_adjust(request, pk):
    membership = _get_membership(request, pk)
    form = AdjustmentForm(request.POST)
    if not form.is_valid():
        return _detail(request, membership, status=400, adjust_form=form)
    data = form.cleaned_data
    try:
        ledger.adjust(membership, data["amount"], data["reason"], by=request.user, expires_on=data["expires_on"])
    except ValidationError as exc:
        form.add_error(None, _error_text(exc))
        return _detail(request, membership, status=400, adjust_form=form)
    messages.success(request, f"Adjusted by {membership.plan.format_credits(data['amount'])}.")
    return redirect("members:detail", pk=membership.pk)


@staff_required
@require_POST
def member_redeem(request, pk):
    membership = _get_membership(request, pk)
    form = RedeemCreditForm(request.POST, membership=membership)
    if not form.is_valid():
        return _detail(request, membership, status=400, redeem_form=form)
    try:
        ledger.redeem(membership, form.cleaned_data["amount"], form.cleaned_data["visit"], by=request.user)
    except ValidationError as exc:
        form.add_error(None, _error_text(exc))
        return _detail(request, membership, status=400, redeem_form=form)
    messages.success(request, f"Used {membership.plan.format_credits(form.cleaned_data['amount'])}. "
                              f"Balance now {membership.plan.format_credits(membership.balance())}.")
    return redirect("members:detail", pk=membership.pk)


# -- patient page panel ---------------------------------------------------------------------------

def _bundle_cards(patient, bundles=None) -> list[dict]:
    """Each bundle with its completed visits of the same service that have not used a session."""
    if bundles is None:
        bundles = list(
            Bundle.objects.filter(patient=patient).with_remaining().select_related("service", "location")
        )
    if not bundles:
        return []
    open_visits = list(
        Visit.objects.completed()
        .filter(patient=patient, service_id__in={b.service_id for b in bundles}, bundle_redemption__isnull=True)
        .select_related("service", "location").order_by("-starts_at")
    )
    today = bundles[0].location.local().date()
    cards = []
    for bundle in bundles:
        usable = []
        if bundle.remaining > 0:
            for visit in open_visits:
                day = bundle.location.local(visit.starts_at).date()
                if visit.service_id == bundle.service_id and day >= bundle.purchased_on and not bundle.is_expired(day):
                    usable.append(visit)
        cards.append({"bundle": bundle, "visits": usable, "expired": bundle.is_expired(today)})
    return cards


def patient_panel_context(patient, user) -> dict:
    """Context for `members/_patient_members.html` on the patient page (listed in settings.PATIENT_PANELS)."""
    membership = (
        Membership.objects.filter(patient=patient).live().select_related("plan", "plan__credit_service", "location")
        .first()
    )
    past = Membership.objects.filter(patient=patient, status=Status.ENDED).select_related("plan")[:5]
    deposits = list(
        Deposit.objects.filter(patient=patient).select_related(
            "visit", "visit__service", "visit__location", "settled_by", "event__location")[:20]
    )
    # What the patient was told: the call plan's approved deposit wording in effect when the deposit was taken.
    history = wording_history(patient.location, Topic.DEPOSITS) if deposits else []
    for deposit in deposits:
        deposit.told = wording_at(history, deposit.created_at)
    return {
        "members_panel": {
            "membership": membership,
            "balance": membership.balance() if membership else None,
            "past_memberships": list(past),
            "bundle_cards": _bundle_cards(patient),
            "deposits": deposits,
            "start_form": StartMembershipForm(initial={"started_on": patient.location.local().date()})
            if membership is None else None,
            "bundle_form": BundleForm(initial={"purchased_on": patient.location.local().date()}),
            "deposit_form": DepositForm(patient=patient, initial={"taken_on": patient.location.local().date()}),
            "is_owner": getattr(user, "is_owner", False),
        }
    }


def _get_patient(request, pk) -> Patient:
    return get_object_or_404(Patient.objects.visible_to(request.user).select_related("location"), pk=pk)


def _back_to_patient(patient):
    return redirect(reverse("patient_detail", args=[patient.pk]) + "#members")


@staff_required
@require_POST
def membership_start(request, patient_pk):
    patient = _get_patient(request, patient_pk)
    form = StartMembershipForm(request.POST)
    if form.is_valid():
        try:
            membership = Membership.start(patient=patient, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"{patient.first_name} joined {membership.plan}.")
            return redirect("members:detail", pk=membership.pk)
    else:
        messages.error(request, "Choose a plan and a start date.")
    return _back_to_patient(patient)


@staff_required
@require_POST
def bundle_add(request, patient_pk):
    patient = _get_patient(request, patient_pk)
    form = BundleForm(request.POST)
    if form.is_valid():
        bundle = form.save(commit=False)
        bundle.patient, bundle.location, bundle.created_by = patient, patient.location, request.user
        bundle.save()
        log_action(request.user, "bundle.sold", bundle, location=bundle.location,
                   sessions=bundle.sessions_purchased, price=str(bundle.price_paid))
        messages.success(request, f"Recorded {bundle.sessions_purchased} × {bundle.service}.")
    else:
        messages.error(request, "Bundle not saved: " + "; ".join(
            f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}".strip()
            for f, e in form.errors.items()))
    return _back_to_patient(patient)


@staff_required
@require_POST
def bundle_redeem(request, pk, visit_pk):
    """One click: use a bundle session for a completed visit. htmx gets the updated bundle card."""
    bundle = get_object_or_404(Bundle.objects.visible_to(request.user).select_related("patient"), pk=pk)
    visit = get_object_or_404(Visit.objects.visible_to(request.user), pk=visit_pk, patient=bundle.patient)
    error = note = ""
    try:
        redeem_session(bundle, visit, by=request.user)
    except ValidationError as exc:
        error = _error_text(exc)
    else:
        note = f"Session used for the {visit.starts_at:%b %-d} visit."
    if request.htmx:
        fresh = Bundle.objects.filter(pk=bundle.pk).with_remaining().select_related("service", "location").get()
        card = _bundle_cards(bundle.patient, [fresh])[0]
        return render(request, "members/_bundle_card.html", {"card": card, "error": error, "note": note},
                      status=400 if error else 200)
    (messages.error if error else messages.success)(request, error or note)
    return _back_to_patient(bundle.patient)


@staff_required
@require_POST
def deposit_add(request, patient_pk):
    patient = _get_patient(request, patient_pk)
    form = DepositForm(request.POST, patient=patient)
    if form.is_valid():
        deposit = form.save(commit=False)
        deposit.patient, deposit.location, deposit.created_by = patient, patient.location, request.user
        deposit.save()
        log_action(request.user, "deposit.held", deposit, location=deposit.location, amount=str(deposit.amount))
        messages.success(request, f"Deposit of ${deposit.amount} recorded as held.")
    else:
        messages.error(request, "Deposit not saved: " + " ".join(" ".join(e) for e in form.errors.values()))
    return _back_to_patient(patient)


@staff_required
@require_POST
def deposit_action(request, pk, action):
    deposit = get_object_or_404(Deposit.objects.visible_to(request.user).select_related("patient"), pk=pk)
    form = DepositSettleForm(request.POST, patient=deposit.patient)
    if action not in ("apply", "refund", "forfeit") or not form.is_valid():
        raise PermissionDenied("Unknown deposit action.")
    note, visit = form.cleaned_data["note"], form.cleaned_data["visit"]
    try:
        if action == "apply":
            visit = visit or deposit.visit
            if visit is None:
                raise ValidationError("Choose the visit the deposit is applied to.")
            deposit.apply(by=request.user, visit=visit, note=note)
        else:
            getattr(deposit, action)(by=request.user, note=note)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"Deposit {deposit.get_status_display().lower()}.")
    return _back_to_patient(deposit.patient)


# -- plans (owner) ---------------------------------------------------------------------------------

@owner_required
def plan_list(request):
    plans = MembershipPlan.objects.select_related("credit_service").prefetch_related(
        Prefetch("included_services")
    )
    counts = {
        row["plan"]: row["n"]
        for row in Membership.objects.visible_to(request.user).live().values("plan").order_by()
        .annotate(n=Count("id"))
    }
    rows = [(plan, counts.get(plan.pk, 0)) for plan in plans]
    return render(request, "members/plan_list.html", {"rows": rows})


@shared_owner_required  # plans are sold at every location: only an owner of all of them changes one
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk=None):
    plan = get_object_or_404(MembershipPlan, pk=pk) if pk else None
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        log_action(request.user, "plan.created" if plan is None else "plan.updated", saved,
                   fields=form.changed_data)
        messages.success(request, f"Saved {saved}.")
        return redirect("members:plans")
    return render(request, "members/plan_form.html", {"form": form, "plan": plan})

