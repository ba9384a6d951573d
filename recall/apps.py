from django.apps import AppConfig


class RecallConfig(AppConfig):
    name = "recall"
    verbose_name = "Treatment recall"

    def ready(self):
        from medspa.twilio.pauses import sender_resumed

        from . import signals  # noqa: F401
        from .dispatch import dispatch_resumed_sender

        sender_resumed.connect(dispatch_resumed_sender, dispatch_uid="recall-dispatch-resumed-sender")
