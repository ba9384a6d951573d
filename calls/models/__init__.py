from .calls import Call, CallTurn
from .events import Event
from .plan import DEFAULT_WORDING, ApprovedAnswer, CallPlan, CallPlanVersion, Topic

__all__ = ["DEFAULT_WORDING", "ApprovedAnswer", "Call", "CallPlan", "CallPlanVersion", "CallTurn", "Event", "Topic"]
