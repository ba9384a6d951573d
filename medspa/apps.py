from django.apps import AppConfig


class MedspaConfig(AppConfig):
    name = "medspa"
    verbose_name = "Clinic"

    def ready(self):
        from .dashboards import rollup
        from .models import Handoff, Visit

        rollup.watch(Visit, "starts_at")
        rollup.watch(Handoff, "created_at")
