"""Room on each touch page for the versions the dispatcher writes (text, start, answer) to stay on it."""

from django.db import migrations


def set_fillfactor(apps, schema_editor, value=70):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE recall_touch SET (fillfactor = {int(value)})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE recall_touch RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("recall", "0015_link_keys_unchecked")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
