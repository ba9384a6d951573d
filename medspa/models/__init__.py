from .audit import AuditLog, log_action
from .clinic import Location, Provider, Service, User
from .inbox import Handoff
from .messaging import MessageMedia, SenderPause
from .patients import ConsentEvent, Patient, Visit

__all__ = [
    "AuditLog",
    "ConsentEvent",
    "Handoff",
    "Location",
    "MessageMedia",
    "Patient",
    "Provider",
    "SenderPause",
    "Service",
    "User",
    "Visit",
    "log_action",
]
