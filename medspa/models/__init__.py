from .audit import AuditLog, log_action
from .clinic import Location, Provider, Service, User
from .inbox import Handoff
from .patients import ConsentEvent, Patient, Visit
from .rollup import DailyFigures

__all__ = [
    "AuditLog",
    "ConsentEvent",
    "DailyFigures",
    "Handoff",
    "Location",
    "Patient",
    "Provider",
    "Service",
    "User",
    "Visit",
    "log_action",
]
