from .audit import AuditLog, log_action, log_read, log_reads
from .clinic import Location, Provider, Service, User
from .inbox import Handoff
from .numbers import PhoneNumberClaim
from .patients import ConsentEvent, Patient, Visit

__all__ = [
    "AuditLog",
    "ConsentEvent",
    "Handoff",
    "Location",
    "Patient",
    "PhoneNumberClaim",
    "Provider",
    "Service",
    "User",
    "Visit",
    "log_action",
    "log_read",
    "log_reads",
]
