"""On PostgreSQL, refuse UPDATE and DELETE of credit ledger rows from any client, not only the ORM.

(TRUNCATE, which test teardown uses, is not a row operation and is unaffected.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION members_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'members_creditledgerentry is append-only: %% refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER members_ledger_append_only
    BEFORE UPDATE OR DELETE ON members_creditledgerentry
    FOR EACH ROW EXECUTE FUNCTION members_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS members_ledger_append_only ON members_creditledgerentry;
DROP FUNCTION IF EXISTS members_ledger_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
