from .audit import AuditLog, log_action
from .clinic import Location, Provider, Service, User
from .inbox import Handoff
from .patients import ConsentEvent, Patient, Visit

__all__ = [
    "AuditLog",
    "ConsentEvent",
    "Handoff",
    "Location",
    "Patient",
    "Provider",
    "Service",
    "User",
    "Visit",
    "log_action",
]
