from .links import LinkAction, RecallLink
from .outbox import Attribution, InboundMessage, Touch
from .rules import RecallRule
from .schedules import RecallSchedule

__all__ = ["Attribution", "InboundMessage", "LinkAction", "RecallLink", "RecallRule", "RecallSchedule", "Touch"]
