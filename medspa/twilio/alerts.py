"""What the owner must see on every page: paused senders and safety calls that would reach no one."""

from ..models import Location, SenderPause


def locations_without_on_call(user):
    """Active locations whose safety calls are routed (a voice number) but have no on-call number to dial."""
    return (Location.objects.visible_to(user).filter(is_active=True).exclude(voice_number="")
            .filter(on_call_number=""))


def messaging_alerts(request):
    """Template context processor: banners for owners (coordinators cannot fix either problem)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_owner", False):
        return {}
    return {
        "sender_pauses": list(SenderPause.objects.active().order_by("started_at")[:5]),
        "no_on_call": list(locations_without_on_call(user)),
    }
