"""`manage.py create_voice_agent LOCATION_SLUG [--rotate]`: an API-only account for an external voice agent.

The account has the voice_agent role (it may post and read calls for that location, nothing else),
no password (it cannot log in to pages), and one DRF token, printed once. `--rotate` replaces the
token (the old one stops working at once); `--revoke` removes it.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from medspa.models import Location, User, log_action
from medspa.models.clinic import Role


class Command(BaseCommand):
    help = "Create (or rotate/revoke the token of) the voice agent account for one location."

    def add_arguments(self, parser):
        parser.add_argument("location", help="The location's slug, e.g. westside-aesthetics")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rotate", action="store_true", help="Replace the existing token.")
        group.add_argument("--revoke", action="store_true", help="Remove the token; the agent is locked out.")

    @transaction.atomic
    def handle(self, *args, location, rotate, revoke, **options):
        try:
            place = Location.objects.get(slug=location)
        except Location.DoesNotExist:
            known = ", ".join(Location.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No location with slug “{location}”. Known: {known}.") from None
        agent, created = User.objects.get_or_create(
            username=f"voice-agent-{place.slug}"[:150],
            defaults={"role": Role.VOICE_AGENT, "first_name": "Voice agent", "last_name": place.name[:150]},
        )
        if agent.role != Role.VOICE_AGENT:
            raise CommandError(f"{agent.username} exists but is not a voice agent account; rename it first.")
        if created:
            agent.set_unusable_password()
            agent.save()
            agent.locations.set([place])
        existing = Token.objects.filter(user=agent).first()
        if revoke:
            Token.objects.filter(user=agent).delete()
            log_action(None, "voice_agent.token_revoked", agent, location=place)
            self.stdout.write(f"Token of {agent.username} revoked.")
            return
        if existing and not rotate:
            raise CommandError(f"{agent.username} already has a token. Use --rotate to replace it.")
        Token.objects.filter(user=agent).delete()
        token = Token.objects.create(user=agent)
        log_action(None, "voice_agent.token_rotated" if existing else "voice_agent.created", agent, location=place)
        self.stdout.write(f"Voice agent account: {agent.username} (location: {place.name})")
        self.stdout.write(f"Token: {token.key}")
        self.stdout.write("Send it as `Authorization: Token <key>` to POST /api/v1/calls/.")
