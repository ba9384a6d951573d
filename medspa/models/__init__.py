from .audit import AuditLog, log_action, log_read, log_reads
from .clinic import Location, Provider, Service, User
from .inbox import Handoff
from .messaging import MessageMedia, SenderPause
from .numbers import PhoneNumberClaim
from .patients import ConsentEvent, Patient, Visit
from .rollup import DailyFigures

__all__ = [
    "AuditLog",
    "ConsentEvent",
    "DailyFigures",
    "Handoff",
    "Location",
    "MessageMedia",
    "Patient",
    "PhoneNumberClaim",
    "Provider",
    "SenderPause",
    "Service",
    "User",
    "Visit",
    "log_action",
    "log_read",
    "log_reads",
]
