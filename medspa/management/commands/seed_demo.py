"""Build the demo clinic: `manage.py seed_demo [--if-empty] [--patients N] [--seed N]`."""

import importlib
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from medspa import demo
from medspa.models import Location


class Command(BaseCommand):
    help = "Create a believable demo clinic (two locations, providers, patients, history, logins)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any location exists.")
        parser.add_argument("--patients", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=20261122)
        parser.add_argument("--print-logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, if_empty, patients, seed, print_logins, **options):
        if print_logins:
            self.stdout.write(f"  Demo logins (password: {demo.DEMO_PASSWORD}):")
            for username, first, _last, role, _locs in demo.LOGINS:
                self.stdout.write(f"    {username:<8} {role:<12} {first}")
            return
        if if_empty and Location.objects.exists():
            self.stdout.write("Demo data already present; leaving it alone.")
            return
        rng, now = random.Random(seed), demo.now_for_demo()
        with transaction.atomic():
            self.stdout.write("Seeding the demo clinic:")
            demo.seed(rng, now, self.stdout, patients=patients)
            for app in demo.DEMO_APPS:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.seed(rng, now, self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo clinic ready."))
