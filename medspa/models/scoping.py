"""Location scoping: the one rule for which rows a staff member may see."""

from django.db import models


class LocationScopedQuerySet(models.QuerySet):
    """Rows that belong to a location. Staff see their own locations' rows; superusers see all.

    Subclasses whose location is reached through a relation set `location_field`
    (e.g. "patient__location").
    """

    location_field = "location"

    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(**{f"{self.location_field}_id__in": user.location_ids()})
