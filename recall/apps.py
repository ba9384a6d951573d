from django.apps import AppConfig


class RecallConfig(AppConfig):
    name = "recall"
    verbose_name = "Treatment recall"

    def ready(self):
        from . import signals  # noqa: F401
