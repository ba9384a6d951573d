from django.apps import AppConfig


class MedspaConfig(AppConfig):
    name = "medspa"
    verbose_name = "Clinic"

    def ready(self):
        from .dashboards import overview_figures, rollup
        from .models import Handoff, Visit

        rollup.watch(Visit, "starts_at", "created_at", related=overview_figures.later_bookings)
        rollup.watch(Handoff, "created_at")
