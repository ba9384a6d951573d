"""The front-desk inbox: one queue of everything that needs a human, from calls, texts and links."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from .htmx import for_htmx
from .models import Handoff, Location, log_action, log_read, log_reads
from .models.inbox import COUNT_CAP, ROUTE_PRIORITY
from .permissions import staff_required
from .routes import Route

# Context keys the item page renders in their own sections; anything else is listed as key/value.
KNOWN_CONTEXT_KEYS = {"history", "touch", "call_id", "fields", "request", "message", "member", "event", "on_call",
                      "media_count", "note"}


class InboxFilter(forms.Form):
    STATUS_CHOICES = [("active", "Open and claimed"), ("open", "Open"), ("claimed", "Claimed"),
                      ("mine", "Claimed by me"), ("done", "Done"), ("all", "All")]

    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    route = forms.ChoiceField(choices=[("", "All routes"), *Route.choices], required=False)
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, empty_label="All locations")
    event = forms.IntegerField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(required=False, label="Search")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["location"].queryset = Location.objects.visible_to(user)

    def apply(self, qs):
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or "active"
        if status == "active":
            qs = qs.open()
        elif status == "mine":
            qs = qs.filter(status=Handoff.Status.CLAIMED, claimed_by=self.user)
        elif status != "all":
            qs = qs.filter(status=status)
        if data.get("route"):
            # The route's priority too: the queue indexes lead with it, so a page seeks straight to it.
            qs = qs.filter(route=data["route"], priority=ROUTE_PRIORITY.get(data["route"], 30))
        if data.get("location"):
            qs = qs.filter(location=data["location"])
        if data.get("event"):
            qs = qs.filter(context__event__id=data["event"])
        if data.get("q"):
            term = data["q"].strip()
            qs = qs.filter(Q(title__icontains=term) | Q(caller_name__icontains=term) | Q(caller_phone__contains=term)
                           | Q(patient__last_name__istartswith=term) | Q(patient__first_name__istartswith=term))
        return qs


PAGE_SIZE = 30


@dataclass
class QueuePage:
    """One page of the queue, found by keyset (`?after=` the last item's queue key), never by OFFSET."""

    object_list: list
    next_after: str | None
    is_first: bool


def encode_after(item: Handoff) -> str:
    priority, due_at, value, created_at, pk = item.queue_key
    return "~".join([str(priority), due_at.isoformat(), str(value), created_at.isoformat(), str(pk)])


def decode_after(raw: str | None) -> tuple | None:
    """The queue key in `?after=`; None (the first page) when it is missing or not one of ours."""
    try:
        priority, due_at, value, created_at, pk = (raw or "").split("~")
        return (int(priority), datetime.fromisoformat(due_at), Decimal(value), datetime.fromisoformat(created_at),
                int(pk))
    except (ValueError, ArithmeticError):
        return None


def queue_page(items, raw_after: str | None) -> QueuePage:
    after = decode_after(raw_after)
    if after is not None:
        items = items.after(after)
    rows = list(items[:PAGE_SIZE + 1])  # one more than shown: is there a next page?
    shown = rows[:PAGE_SIZE]
    return QueuePage(shown, encode_after(shown[-1]) if len(rows) > PAGE_SIZE else None, after is None)


def count_label(n: int) -> str:
    return f"{COUNT_CAP}+" if n > COUNT_CAP else str(n)


def _queue(request):
    visible = Handoff.objects.visible_to(request.user)
    form = InboxFilter(request.GET or None, user=request.user)
    items = form.apply(visible).select_related("location", "patient", "claimed_by").queue_order()
    route_counts = visible.open_route_counts()
    urgent = route_counts.get(Route.SAFETY_ESCALATION, 0)
    return {
        "form": form,
        "page": queue_page(items, request.GET.get("after")),
        "route_counts": [(value, label, count_label(route_counts[value]))
                         for value, label in Route.choices if value in route_counts],
        "urgent_open": urgent,
        "urgent_label": count_label(urgent),
        "poll_seconds": settings.INBOX_POLL_SECONDS,
    }


@staff_required
@for_htmx(if_hx_target="inbox-queue", use_template="inbox/_queue.html")
def inbox(request):
    context = _queue(request)
    if request.headers.get("X-Background") != "poll":  # the 10-second refresh is not a person reading
        log_reads(request, "inbox.listed", [item.patient for item in context["page"].object_list],
                  q=request.GET.get("q", ""))
    return TemplateResponse(request, "inbox/inbox.html", context)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("", "Choose an outcome"), *Handoff.Outcome.choices])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           help_text="What was done. Required for safety escalations.")


def _item_context(request, item, resolve_form=None):
    extra = {k: v for k, v in (item.context or {}).items() if k not in KNOWN_CONTEXT_KEYS}
    return {"item": item, "ctx": item.context or {}, "extra": extra, "media": list(item.media.all()),
            "resolve_form": resolve_form or ResolveForm(), "outcomes": Handoff.Outcome.choices}


def _get_item(request, pk):
    return get_object_or_404(
        Handoff.objects.visible_to(request.user).select_related("location", "patient", "claimed_by", "resolved_by"),
        pk=pk,
    )


@staff_required
def inbox_item(request, pk):
    item = _get_item(request, pk)
    log_read(request, "inbox_item.viewed", item, patient=item.patient)
    return render(request, "inbox/item.html", _item_context(request, item))


def _item_page(request, item, resolve_form=None, status=200):
    return TemplateResponse(request, "inbox/item.html", _item_context(request, item, resolve_form), status=status)


def _changed(request, item, message):
    """After a claim or resolve: htmx gets the item's actions and the queue refreshes; a plain form is redirected."""
    if not request.htmx:
        messages.success(request, message)
        return redirect("inbox_item", pk=item.pk)
    return trigger_client_event(_item_page(request, item), "inbox-changed")


@staff_required
@require_POST
@for_htmx(use_template="inbox/_item_actions.html")
def inbox_claim(request, pk):
    item = _get_item(request, pk)
    try:
        item.claim(request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _item_page(request, item, status=409)
    return _changed(request, item, "Claimed. It is yours until you resolve it.")


@staff_required
@require_POST
@for_htmx(use_template="inbox/_item_actions.html")
def inbox_resolve(request, pk):
    item = _get_item(request, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            item.resolve(request.user, form.cleaned_data["outcome"], form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error("note" if item.is_safety else None, exc)
    if form.errors:
        item.refresh_from_db()
        return _item_page(request, item, form, status=400)
    return _changed(request, item, f"Resolved: {item.get_outcome_display()}.")


@staff_required
def inbox_media(request, pk, media_pk):
    """A patient's photo, for staff of the item's location only; every view is audited; never cached."""
    item = _get_item(request, pk)
    media = get_object_or_404(item.media.exclude(file=""), pk=media_pk)
    try:
        handle = media.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    log_action(request.user, "media.viewed", media, location=item.location, handoff=item.pk)
    response = FileResponse(handle, content_type=media.content_type or "application/octet-stream",
                            as_attachment=not media.is_image, filename=media.file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
