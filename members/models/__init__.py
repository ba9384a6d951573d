from .bundles import Bundle, BundleRedemption
from .credits import CreditLedgerEntry, LedgerImmutable
from .deposits import Deposit
from .memberships import Membership, MembershipStatusChange
from .plans import MembershipPlan

__all__ = [
    "Bundle",
    "BundleRedemption",
    "CreditLedgerEntry",
    "Deposit",
    "LedgerImmutable",
    "Membership",
    "MembershipPlan",
    "MembershipStatusChange",
]
