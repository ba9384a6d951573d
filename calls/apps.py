from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self):
        from medspa.dashboards import rollup
        from medspa.models import Handoff, Visit

        from .metrics import call_of, calls_shown_by
        from .models import Call

        rollup.watch(Call, "started_at")
        rollup.watch(Visit, related=calls_shown_by)
        rollup.watch(Handoff, related=call_of)
