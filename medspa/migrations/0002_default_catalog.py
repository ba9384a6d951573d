from django.db import migrations

from medspa.catalog import DEFAULT_CATALOG


def load_catalog(apps, schema_editor):
    Service = apps.get_model("medspa", "Service")
    for entry in DEFAULT_CATALOG:
        Service.objects.get_or_create(
            name=entry.name,
            defaults={
                "category": entry.category,
                "return_interval_days": entry.return_interval_days,
                "aliases": list(entry.aliases),
                "typical_value": entry.typical_value,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("medspa", "0001_initial")]
    operations = [migrations.RunPython(load_catalog, migrations.RunPython.noop)]
