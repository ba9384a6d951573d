"""One row per location and local calendar day: the dashboards' additive figures for that day.

Filled by `medspa.tasks.roll_up_dashboards` (beat, every few minutes; `medspa/dashboards/rollup.py`),
read by the owner overview so a year-long range sums 365 small rows per location instead of scanning
a year of visits, inbox items and calls. Only days that had ended when they were computed are stored;
today's partial day and the range's edges are always counted live.
"""

from django.db import models


class DailyFigures(models.Model):
    location = models.ForeignKey("medspa.Location", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="Local calendar day in the location's time zone.")
    figures = models.JSONField(default=dict, help_text="Figure key -> whole number (counts, cents).")
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Also the index of the overview's read: a location's days in a date range.
            models.UniqueConstraint(fields=["location", "day"], name="dailyfigures_location_day_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.location_id} {self.day}"
