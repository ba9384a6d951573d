"""A believable two-location clinic with two years of history, for `make run` and demos.

Deterministic for a given seed. Apps add their own demo data in `<app>/demo.py` with a
`seed(rng, now, out)` function that `seed_demo` calls after this one, in DEMO_APPS order.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .models import Location, Patient, Provider, Service, User, Visit

DEMO_PASSWORD = "frontdesk-demo"  # noqa: S105 (printed by `make run`; demo only)
DEMO_APPS = ("calls", "recall", "members")

LOCATIONS = [
    {"name": "Westside Aesthetics", "time_zone": "America/Los_Angeles", "address": "1420 Montana Ave, Santa Monica, CA",
     "phone": "+13105550142", "sms_number": "+13105550100", "voice_number": "+13105550101",
     "on_call_number": "+13105550199"},
    {"name": "Scottsdale Skin Studio", "time_zone": "America/Phoenix", "address": "7014 E Camelback Rd, Scottsdale, AZ",
     "phone": "+14805550170", "sms_number": "+14805550100", "voice_number": "+14805550101",
     "on_call_number": ""},
]
PROVIDERS = [
    ("Dr. Maya Patel", "MD", 0), ("Lena Brooks", "NP", 0), ("Sofia Reyes", "Aesthetician", 0),
    ("Dr. Aaron Kim", "MD", 1), ("Jess Morgan", "RN", 1), ("Priya Shah", "Aesthetician", 1),
]
# (username, first, last, role, location indexes)
LOGINS = [
    ("owner", "Olivia", "Hart", "owner", [0, 1]),
    ("casey", "Casey", "Nguyen", "coordinator", [0]),
    ("devon", "Devon", "Price", "coordinator", [1]),
    ("maya", "Maya", "Patel", "provider", [0]),
]
# Relative popularity of each catalog service, and how loyal its patients are (chance of returning).
MIX = {"Neurotoxin": (34, 0.72), "Dermal filler": (10, 0.55), "Lip filler": (9, 0.6),
       "Laser hair removal": (14, 0.8), "IPL photofacial": (7, 0.5), "Chemical peel": (8, 0.45),
       "Microneedling": (8, 0.55), "HydraFacial": (16, 0.6)}
FIRST = (  # noqa: SIM905
    "Ava Mia Emma Sofia Isabella Olivia Harper Camila Chloe Zoe Layla Nora Lily Grace Hannah Aria Riley Ellie "
         "Stella Naomi Maya Leah Sarah Jasmine Priya Jordan Taylor Morgan Alex Sam Daniel Michael James Ethan "
         "Noah Lucas Marcus Andre Diego Kenji").split()
LAST = (  # noqa: SIM905
    "Garcia Smith Johnson Lee Martinez Brown Davis Rodriguez Wilson Anderson Thomas Moore Jackson Martin "
        "Thompson White Lopez Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
        "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Chen Patel Kim Shah").split()
AREA_CODES = {0: ("310", "424", "213"), 1: ("480", "602", "623")}


def seed(rng: random.Random, now: datetime, out, patients: int = 3000) -> None:
    locations = [Location.objects.update_or_create(name=data["name"], defaults=data)[0] for data in LOCATIONS]
    providers = []
    for name, title, loc in PROVIDERS:
        provider, _ = Provider.objects.get_or_create(name=name, defaults={"title": title})
        provider.locations.set([locations[loc]])
        providers.append((provider, loc))
    password = make_password(DEMO_PASSWORD)
    for username, first, last, role, locs in LOGINS:
        user, _ = User.objects.update_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "role": role, "password": password}
        )
        user.locations.set([locations[i] for i in locs])
    Provider.objects.filter(name="Dr. Maya Patel").update(user=User.objects.get(username="maya"))

    services = {s.name: s for s in Service.objects.all()}
    weights = [MIX.get(name, (1, 0.5))[0] for name in services]
    used_phones: set[str] = set()
    new_patients, visit_rows = [], []
    for i in range(patients):
        loc = 0 if rng.random() < 0.6 else 1
        while True:
            phone = f"+1{rng.choice(AREA_CODES[loc])}555{rng.randrange(1000, 10000):04d}"
            if phone not in used_phones:
                used_phones.add(phone)
                break
        first, last = rng.choice(FIRST), rng.choice(LAST)
        consent = rng.random() < 0.9
        new_patients.append(Patient(
            external_id=f"DEMO-{i + 1:05d}", first_name=first, last_name=last, phone=phone,
            email=f"{first}.{last}{i}@example.com".lower(), location=locations[loc],
            date_of_birth=(now - timedelta(days=rng.randrange(22 * 365, 65 * 365))).date(),
            sms_consent=consent, sms_consent_source="intake_form" if consent else "unknown",
            sms_consent_at=now - timedelta(days=800) if consent else None,
        ))
    Patient.objects.bulk_create(new_patients, batch_size=1000)
    created = list(Patient.objects.filter(external_id__startswith="DEMO-").order_by("id"))
    for patient in created:
        loc = 0 if patient.location_id == locations[0].id else 1
        local_providers = [p for p, pl in providers if pl == loc]
        for service_name in set(rng.choices(list(services), weights=weights, k=rng.choice((1, 1, 2, 3)))):
            service = services[service_name]
            loyalty = MIX.get(service_name, (1, 0.5))[1]
            when = now - timedelta(days=rng.randrange(30, 730))
            provider = rng.choice(local_providers)
            while when < now:
                status = rng.choices(["completed", "no_show", "cancelled"], weights=[92, 4, 4])[0]
                value = Decimal(service.typical_value) * Decimal(rng.uniform(0.8, 1.25))
                visit_rows.append(Visit(
                    patient=patient, service=service, provider=provider, location=patient.location,
                    starts_at=when.replace(hour=rng.randrange(16, 26) % 24, minute=rng.choice((0, 15, 30, 45))),
                    status=status, value=round(value, 2) if status == "completed" else 0, source="demo",
                ))
                if rng.random() > loyalty:
                    break
                when += timedelta(days=round(service.return_interval_days * rng.uniform(0.85, 1.6)))
            else:
                continue
            if rng.random() < 0.12:  # some already have their next visit on the books
                visit_rows.append(Visit(
                    patient=patient, service=service, provider=provider, location=patient.location,
                    starts_at=now + timedelta(days=rng.randrange(2, 30), hours=rng.randrange(0, 8)),
                    status="booked", value=service.typical_value, source="demo",
                ))
    Visit.objects.bulk_create(visit_rows, batch_size=2000)
    out.write(f"  {len(created)} patients, {len(visit_rows)} visits at {len(locations)} locations")


def now_for_demo() -> datetime:
    return timezone.now().replace(second=0, microsecond=0)
