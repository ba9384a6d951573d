from .calls import CallOutcome
from .links import LinkAction, RecallLink
from .member_templates import MemberTouchTemplate
from .outbox import Attribution, InboundMessage, Touch
from .rules import RecallRule
from .schedules import RecallSchedule

__all__ = ["Attribution", "CallOutcome", "InboundMessage", "LinkAction", "MemberTouchTemplate", "RecallLink",
           "RecallRule", "RecallSchedule", "Touch"]
