"""PostgreSQL: due times in a narrow queue of their own, so the sweep's schedule update writes no index entry.

The sweep's update of a due schedule moves its next action time (and often its state). While either column was
in an index (recall_next_action_idx; recall_service_state_idx), PostgreSQL wrote a new entry into every index of
the schedule for each due row: its primary key, (patient, service), (service, state, due date) and the next
action time. Due schedules are scattered through a clinic chain's table, so each entry landed on an index page of
its own: the sweep cost grew with the table, not with the work due (1.3-1.5x from 1M to 10M patients).

Here:
- `recall_due` (schedule, at) holds a time at or before each schedule's next action time: the sweep reads it by
  `at` and locks the schedule through its primary key (`recall.sweep._batch_sql`). Entries only ever come in
  and go out, in time order.
- Triggers keep it: a schedule inserted with a next action time, or whose next action time moves earlier (or
  appears), gets an entry, whatever wrote it (a form, a queryset `update()`, the importer's bulk writes). A time
  that moves later keeps its earlier entry: when that comes round the sweep finds the schedule not yet due and
  files it again at its real time. The sweep files the schedules it advances itself (their times only move
  later, so the trigger never fires for them).
- recall_next_action_idx goes, and (service, state, due date) becomes (service, due date), so no index of the
  schedule holds a column the sweep changes: its update is HOT (the new version on the same page, no index
  entry), with room kept on each page for it (fillfactor 80; rows written before this keep their pages full
  until they move).

SQLite (`make run`) keeps recall_next_action_idx (migration 0001) and has no queue: its sweep reads the schedules
by their next action time (`recall.sweep.advance_batch_orm`).
"""

from django.db import migrations, models

FORWARD = """
CREATE TABLE recall_due (schedule_id bigint NOT NULL, at timestamptz NOT NULL);
COMMENT ON TABLE recall_due IS 'A time at or before each recall schedule''s next action time (recall migration 0018)';
INSERT INTO recall_due (schedule_id, at)
SELECT id, next_action_at FROM recall_recallschedule WHERE next_action_at IS NOT NULL ORDER BY next_action_at, id;
-- The sweep's read: WHERE at <= now ORDER BY at (recall.sweep._batch_sql).
CREATE INDEX recall_due_at_idx ON recall_due (at);

CREATE FUNCTION recall_due_file_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO recall_due (schedule_id, at)
    SELECT id, next_action_at FROM inserted WHERE next_action_at IS NOT NULL ORDER BY next_action_at;
    RETURN NULL;
END $$;
CREATE TRIGGER recall_due_file_inserted AFTER INSERT ON recall_recallschedule
REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION recall_due_file_inserted();

CREATE FUNCTION recall_due_file_earlier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO recall_due (schedule_id, at) VALUES (NEW.id, NEW.next_action_at);
    RETURN NULL;
END $$;
-- Only a time that appears or moves earlier: the sweep's own updates move it later and never call the function.
CREATE TRIGGER recall_due_file_earlier AFTER UPDATE OF next_action_at ON recall_recallschedule
FOR EACH ROW WHEN (NEW.next_action_at < coalesce(OLD.next_action_at, 'infinity'))
EXECUTE FUNCTION recall_due_file_earlier();

DROP INDEX recall_next_action_idx;
ALTER TABLE recall_recallschedule SET (fillfactor = 80);
"""

BACKWARD = """
ALTER TABLE recall_recallschedule RESET (fillfactor);
CREATE INDEX recall_next_action_idx ON recall_recallschedule (next_action_at) WHERE next_action_at IS NOT NULL;
DROP TRIGGER recall_due_file_earlier ON recall_recallschedule;
DROP FUNCTION recall_due_file_earlier();
DROP TRIGGER recall_due_file_inserted ON recall_recallschedule;
DROP FUNCTION recall_due_file_inserted();
DROP TABLE recall_due;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("recall", "0017_schedule_patient_facts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex("recallschedule", "recall_next_action_idx")],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
        migrations.RemoveIndex("recallschedule", "recall_service_state_idx"),
        migrations.AddIndex("recallschedule", models.Index(fields=["service", "due_date"],
                                                           name="recall_service_due_idx")),
    ]
