"""PostgreSQL: each schedule row carries its patient's location and contact facts, kept by the database.

The recall sweep decides a due schedule from its timeline, the patient's location (time zone) and whether a
text or email may reach the patient (`recall.sweep.reachable`). Reading those from the patient cost about a
quarter of each batch statement: due patients are scattered, so about one index page per due schedule. Here
they are columns of the schedule, written only by two triggers, so no write path (a form's save, a queryset
`update()`, the importer's `bulk_update`, a STOP reply) can leave them behind the patient:

- before a schedule is inserted (or moved to another patient), they are read from its patient;
- after a patient's location or a contact fact changes, they are written to that patient's schedules.

The columns are not model fields: Django never writes them (a schedule saved from a stale object cannot put
old facts back). Only the sweep's batch statement reads them (`recall.sweep.PATIENT_FACTS`). SQLite (`make
run`) has neither: its sweep reads the patient row (`recall.sweep.advance_batch_orm`).
"""

from django.db import migrations

# Column on the schedule -> the fact, as SQL on the patient row `p` (the booleans `recall.sweep.reachable` takes).
FACTS = {
    "patient_location_id": "p.location_id",
    "patient_has_phone": "p.phone <> ''",
    "patient_sms_consent": "p.sms_consent",
    "patient_sms_opted_out": "p.sms_opted_out_at IS NOT NULL",
    "patient_phone_invalid": "p.phone_invalid_at IS NOT NULL",
    "patient_has_email": "p.email <> ''",
    "patient_email_consent": "p.email_consent",
    "patient_email_unsubscribed": "p.email_unsubscribed_at IS NOT NULL",
}
# The patient columns the facts are made from: a change to any other column leaves the schedules alone.
SOURCES = ("location_id", "phone", "sms_consent", "sms_opted_out_at", "phone_invalid_at", "email", "email_consent",
           "email_unsubscribed_at")


def on(row: str) -> list[str]:
    """The facts read from the patient row `row` (NEW or OLD in a trigger)."""
    return [sql.replace("p.", f"{row}.") for sql in FACTS.values()]


FORWARD = f"""
ALTER TABLE recall_recallschedule {", ".join(f"ADD COLUMN {c} {'bigint' if c.endswith('_id') else 'boolean'}"
                                             for c in FACTS)};
UPDATE recall_recallschedule AS s SET {", ".join(f"{c} = {sql}" for c, sql in FACTS.items())}
FROM medspa_patient AS p WHERE p.id = s.patient_id;
ALTER TABLE recall_recallschedule {", ".join(f"ALTER COLUMN {c} SET NOT NULL" for c in FACTS)};

CREATE FUNCTION recall_schedule_read_patient_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT {", ".join(FACTS.values())} INTO {", ".join(f"NEW.{c}" for c in FACTS)}
    FROM medspa_patient AS p WHERE p.id = NEW.patient_id;
    RETURN NEW;
END $$;
CREATE TRIGGER recall_schedule_read_patient_facts BEFORE INSERT OR UPDATE OF patient_id ON recall_recallschedule
FOR EACH ROW EXECUTE FUNCTION recall_schedule_read_patient_facts();

CREATE FUNCTION recall_patient_facts_to_schedules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE recall_recallschedule SET {", ".join(f"{c} = {sql}" for c, sql in zip(FACTS, on("NEW"), strict=True))}
    WHERE patient_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER recall_patient_facts_to_schedules AFTER UPDATE OF {", ".join(SOURCES)} ON medspa_patient
FOR EACH ROW WHEN (({", ".join(on("OLD"))}) IS DISTINCT FROM ({", ".join(on("NEW"))}))
EXECUTE FUNCTION recall_patient_facts_to_schedules();
"""

BACKWARD = f"""
DROP TRIGGER recall_patient_facts_to_schedules ON medspa_patient;
DROP FUNCTION recall_patient_facts_to_schedules();
DROP TRIGGER recall_schedule_read_patient_facts ON recall_recallschedule;
DROP FUNCTION recall_schedule_read_patient_facts();
ALTER TABLE recall_recallschedule {", ".join(f"DROP COLUMN {c}" for c in FACTS)};
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("recall", "0016_touch_fillfactor"), ("medspa", "0013_drop_patient_reach_idx")]

    operations = [migrations.RunPython(forward, backward)]
