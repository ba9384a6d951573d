"""The filter every dashboard page shares: a date range and a location, scoped to the owner.

The default range is the last 30 days (today included) in the time zone of the chosen location,
or of the owner's first location when "All my locations" is chosen. Dates are local calendar days;
queries get UTC bounds [start 00:00 local, day after end 00:00 local).
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..models import Location

DEFAULT_DAYS = 30
MAX_DAYS = 366
DEFAULT_MINUTES_PER_ITEM = 6


@dataclass(frozen=True)
class DashboardFilter:
    """What every metric function receives: already scoped to the user's locations."""

    location_ids: tuple[int, ...]
    start: date
    end: date  # inclusive
    tz: zoneinfo.ZoneInfo
    minutes_per_item: int = DEFAULT_MINUTES_PER_ITEM
    location: Location | None = None
    locations: tuple[Location, ...] = field(default_factory=tuple)
    # What several sections of one page share, computed once per request (the rollup's figures).
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=self.tz)

    @property
    def until(self) -> datetime:
        """Exclusive upper bound: local midnight after the last day."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.tz)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        where = self.location.name if self.location else "all locations"
        return f"{self.start:%b %-d, %Y} – {self.end:%b %-d, %Y} · {where}"

    def query_string(self) -> str:
        params = {"start": self.start.isoformat(), "end": self.end.isoformat(), "minutes": self.minutes_per_item}
        if self.location:
            params["location"] = self.location.pk
        return urlencode(params)


class DashboardFilterForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": "Choose one of your own locations."},
    )
    minutes = forms.IntegerField(
        label="Minutes saved per handled item", min_value=0, max_value=120, required=False,
        help_text="Coordinator time an item saves when it arrives already summarized (an assumption; edit it).",
    )

    def __init__(self, data, *, locations: list[Location]):
        self.locations = locations
        self.default_tz = locations[0].tz if locations else zoneinfo.ZoneInfo(settings.TIME_ZONE)
        today = timezone.now().astimezone(self.default_tz).date()
        self.default_start = today - timedelta(days=DEFAULT_DAYS - 1)
        self.default_end = today
        data = {key: data[key] for key in ("start", "end", "location", "minutes") if data.get(key)}
        data.setdefault("start", self.default_start.isoformat())
        data.setdefault("end", self.default_end.isoformat())
        data.setdefault("minutes", str(DEFAULT_MINUTES_PER_ITEM))
        super().__init__(data)
        self.fields["location"].choices = [("", "All my locations")] + [(loc.pk, loc.name) for loc in locations]

    def clean_location(self):
        raw = self.cleaned_data.get("location")
        return next((loc for loc in self.locations if str(loc.pk) == raw), None) if raw else None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The end date must be on or after the start date.")
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("start", f"Choose a range of at most {MAX_DAYS} days.")
        return cleaned

    def to_filter(self) -> DashboardFilter:
        """The cleaned filter, or the default (last 30 days, all locations) when the form has errors."""
        ok = self.is_valid()
        get = self.cleaned_data.get if ok else (lambda key, default=None: default)
        location = get("location")
        minutes = get("minutes")
        return DashboardFilter(
            location_ids=(location.pk,) if location else tuple(loc.pk for loc in self.locations),
            start=get("start", self.default_start),
            end=get("end", self.default_end),
            tz=location.tz if location else self.default_tz,
            minutes_per_item=DEFAULT_MINUTES_PER_ITEM if minutes is None else minutes,
            location=location,
            locations=tuple(self.locations),
        )


def filter_for(request) -> tuple[DashboardFilterForm, DashboardFilter]:
    """Build the form from the query string with the user's own locations (one query)."""
    locations = list(Location.objects.visible_to(request.user).order_by("name"))
    form = DashboardFilterForm(request.GET, locations=locations)
    return form, form.to_filter()


def slices_q(slices, field: str, location_field: str = "location_id") -> Q:
    """Rows in any slice (location id, since, until): (location = l AND since <= field < until) OR ...

    The daily rollup (`rollup.py`) counts the parts of a range it has not stored as such slices."""
    q = Q(pk__in=[])
    for location_id, since, until in slices:
        q |= Q(**{location_field: location_id, f"{field}__gte": since, f"{field}__lt": until})
    return q
