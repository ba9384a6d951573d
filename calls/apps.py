from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self):
        from medspa.dashboards import rollup

        from .models import Call

        rollup.watch(Call, "started_at")
