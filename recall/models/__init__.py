from .calls import CallOutcome
from .imports import ImportJob
from .links import LinkAction, RecallLink
from .member_templates import MemberTouchTemplate
from .outbox import Attribution, InboundMessage, OwedTouch, Touch
from .rules import ChannelChoice, RecallRule
from .schedules import RecallSchedule

__all__ = ["Attribution", "CallOutcome", "ChannelChoice", "ImportJob", "InboundMessage", "LinkAction",
           "MemberTouchTemplate", "OwedTouch", "RecallLink", "RecallRule", "RecallSchedule", "Touch"]
