from django.db import migrations


def create_rules(apps, schema_editor):
    Service = apps.get_model("medspa", "Service")
    RecallRule = apps.get_model("recall", "RecallRule")
    for service in Service.objects.all():
        RecallRule.objects.get_or_create(service=service, defaults={"interval_days": service.return_interval_days})


class Migration(migrations.Migration):
    dependencies = [("recall", "0001_initial"), ("medspa", "0002_default_catalog")]
    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
