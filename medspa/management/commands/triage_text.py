"""Triage utterances from stdin, one per line, printing one JSON object per line.

    echo "Can I book Botox for the VIP night?" | ./manage.py triage_text --now 2026-11-22T10:00

The clinic's time zone, services and providers come from the database when it is reachable (first active
Location, active Services, active Providers); otherwise America/Los_Angeles and the default catalog.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError

from medspa.models import Location, Provider, Service
from medspa.triage import triage
from medspa.triage.engine import DEFAULT_TZ


def _db_time_zone() -> str | None:
    try:
        location = Location.objects.filter(is_active=True).order_by("pk").first()
        return location.time_zone if location else None
    except Exception:  # no migrations / no database: fall back to the default
        return None


def _db_catalog() -> list[tuple[str, list[str]]] | None:
    try:
        services = [(s.name, list(s.aliases or [])) for s in Service.objects.filter(is_active=True)]
        return services or None
    except Exception:
        return None


def _db_providers() -> list[str]:
    try:
        return list(Provider.objects.filter(is_active=True).values_list("name", flat=True))
    except Exception:
        return []


class Command(BaseCommand):
    stealth_options = ("stdin",)  # call_command(..., stdin=io.StringIO(...)) in tests
    help = "Triage one utterance per line from stdin; print JSON lines {text, route, reasons, fields}."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO date-time to resolve relative dates against (default: now).")
        parser.add_argument("--tz", help="Time zone (default: first active location's, else America/Los_Angeles).")

    def handle(self, *args, **options):
        tz = options.get("tz") or _db_time_zone() or DEFAULT_TZ
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(f"Unknown time zone: {tz}") from exc
        now = None
        if options.get("now"):
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now must be an ISO date-time, got {options['now']!r}") from exc
            if now.tzinfo is None:
                now = now.replace(tzinfo=zone)
        catalog = _db_catalog()
        providers = _db_providers()
        stream = options.get("stdin") or sys.stdin
        for line in stream:
            text = line.strip()
            if not text:
                continue
            result = triage(text, now=now, tz=tz, catalog=catalog, providers=providers)
            payload = {"text": text, "route": result.route, "reasons": result.reasons, "fields": result.fields}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
