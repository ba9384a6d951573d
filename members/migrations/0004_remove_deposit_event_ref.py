from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0003_deposit_event_fk"),
    ]

    operations = [
        migrations.RemoveField(model_name="deposit", name="event_ref"),
    ]
