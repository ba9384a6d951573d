"""Deposit.event_ref (a plain calls.Event id) becomes a real ForeignKey `event`.

Existing ids are carried over where the event still exists; an id that points nowhere is dropped and
noted on the deposit, so nothing is silently lost.
"""

import django.db.models.deletion
from django.db import migrations, models


def carry_over(apps, schema_editor):
    Deposit = apps.get_model("members", "Deposit")
    Event = apps.get_model("calls", "Event")
    refs = set(Deposit.objects.exclude(event_ref=None).values_list("event_ref", flat=True))
    existing = set(Event.objects.filter(pk__in=refs).values_list("pk", flat=True))
    for deposit in Deposit.objects.exclude(event_ref=None).only("pk", "event_ref", "note"):
        if deposit.event_ref in existing:
            deposit.event_id = deposit.event_ref
            deposit.save(update_fields=["event"])
        else:
            deposit.note = f"{deposit.note} (event #{deposit.event_ref} no longer exists)".strip()[:250]
            deposit.save(update_fields=["note"])


def carry_back(apps, schema_editor):
    Deposit = apps.get_model("members", "Deposit")
    for deposit in Deposit.objects.exclude(event=None).only("pk", "event"):
        deposit.event_ref = deposit.event_id
        deposit.save(update_fields=["event_ref"])


class Migration(migrations.Migration):

    dependencies = [
        ("calls", "0001_initial"),
        ("members", "0002_ledger_append_only_trigger"),
    ]

    operations = [
        migrations.AddField(
            model_name="deposit",
            name="event",
            field=models.ForeignKey(
                blank=True, help_text="The event the deposit holds a place at, if any.", null=True,
                on_delete=django.db.models.deletion.PROTECT, related_name="deposits", to="calls.event",
            ),
        ),
        migrations.RunPython(carry_over, carry_back),
        # event_ref is dropped in 0004: PostgreSQL refuses ALTER TABLE in a transaction that has pending
        # foreign-key checks from the rows updated above.
    ]
