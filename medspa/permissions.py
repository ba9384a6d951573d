"""Who may do what. Every view and API endpoint goes through one of these."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .models.clinic import Location, Role

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


def owns_locations(user, location_ids) -> bool:
    """An owner (or superuser) whose locations include every one of `location_ids`."""
    if not has_role(user, Role.OWNER):
        return False
    return user.is_superuser or set(location_ids) <= set(user.location_ids())


def owns_every_location(user) -> bool:
    """Shared records (the service catalog, recall rules, member wording, membership plans) reach every
    location, so only an owner of all of them may change them; other owners see them read-only."""
    return owns_locations(user, Location.objects.values_list("id", flat=True))


def shared_owner_required(view):
    """Owner of every location (see owns_every_location); 403 otherwise."""

    @owner_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not owns_every_location(request.user):
            raise PermissionDenied("This is shared by every location: only an owner of all of them can change it.")
        return view(request, *args, **kwargs)

    return wrapper
