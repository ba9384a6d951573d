"""`manage.py recall_status [--as-of YYYY-MM-DD] [--format json] [--service NAME] [--location SLUG]`

Evaluates every schedule at the given date with the same rules the sweep uses, and writes nothing.
Each row has the timeline's `state` and, apart from it, how the patient may be reached (`contact`);
`next_touch` is the next text, so it is empty for a patient who cannot be texted.
"""

import json
from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from medspa.models import Location, Service
from recall import clock
from recall.models import RecallRule, RecallSchedule
from recall.models.schedules import State
from recall.schedules import decide, paused_subquery


class Command(BaseCommand):
    help = "List recall schedules and their state at a date (nothing is sent or saved)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--service", help="Catalog name or alias")
        parser.add_argument("--location", help="Location slug")

    def handle(self, *args, as_of, format, service, location, **options):
        schedules = RecallSchedule.objects.select_related("patient__location", "service").annotate(
            paused=paused_subquery()).order_by("service__name", "due_date", "id")
        if service:
            match = Service.objects.match(service)
            if match is None:
                raise CommandError(f"Unknown service “{service}”.")
            schedules = schedules.filter(service=match)
        if location:
            if not Location.objects.filter(slug=location).exists():
                raise CommandError(f"Unknown location “{location}”.")
            schedules = schedules.filter(patient__location__slug=location)
        rules = {r.service_id: r for r in RecallRule.objects.all()}
        now = timezone.now()
        for schedule in schedules.iterator(chunk_size=2000):
            rule = rules.get(schedule.service_id) or RecallRule.defaults_for(schedule.service)
            tz = schedule.patient.location.tz
            day = as_of or now.astimezone(tz).date()
            moment = datetime.combine(day, time(12), tzinfo=tz) if as_of else now
            decision = decide(schedule, rule, moment, paused=schedule.paused, can_text=schedule.patient.can_text,
                              tz=tz, day=day)
            row = {
                "patient_id": schedule.patient.external_id or str(schedule.patient_id),
                "service": schedule.service.name,
                "last_visit": schedule.last_visit.isoformat() if schedule.last_visit else None,
                "due_date": schedule.due_date.isoformat() if schedule.due_date else None,
                "state": str(decision.state),
                "contact": schedule.patient.contact,
                "touches_sent": schedule.touches_sent,
                "next_touch": self.next_touch(schedule, rule, day, decision.state, tz)
                if schedule.patient.can_text else None,
            }
            if format == "json":
                self.stdout.write(json.dumps(row))
            else:
                self.stdout.write(f"{row['patient_id']:<14} {row['service']:<20} last {row['last_visit'] or '-':<10} "
                                  f"due {row['due_date'] or '-':<10} {row['state']:<9} sent {row['touches_sent']} "
                                  f"next {row['next_touch'] or '-':<24} {row['contact']}")

    @staticmethod
    def next_touch(schedule, rule, day, state, tz):
        if state not in (State.UPCOMING, State.DUE, State.LATE, State.LAPSED):
            return None
        found = clock.next_touch(
            day, last_visit=schedule.last_visit, rule=rule, touches_sent=schedule.touches_sent,
            kinds_sent=schedule.kinds, snoozed_until=schedule.snoozed_until,
            last_touch_day=schedule.last_touch_at.astimezone(tz).date() if schedule.last_touch_at else None)
        return f"{found[0].isoformat()} {found[1]}" if found else None
