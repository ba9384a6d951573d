"""Who may do what. Every view and API endpoint goes through one of these."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .models.clinic import Role

# People. A voice agent account is not staff: it reaches only the call intake API.
STAFF_ROLES = frozenset({Role.COORDINATOR, Role.PROVIDER, Role.OWNER})


def has_role(user, *roles: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in (roles or STAFF_ROLES)


def role_required(*roles: str):
    """Login, then one of `roles` (any staff role when none given); 403 otherwise."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied("Your role does not include this page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = role_required()
owner_required = role_required(Role.OWNER)


class IsClinicStaff(BasePermission):
    """API default: an authenticated staff member with a role."""

    def has_permission(self, request, view):
        return has_role(request.user)


class IsOwner(BasePermission):
    def has_permission(self, request, view):
        return has_role(request.user, Role.OWNER)
