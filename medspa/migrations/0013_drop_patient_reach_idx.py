"""The sweep reads its patients' facts from the schedule row now (recall 0017): the index it read them from goes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('medspa', '0012_patient_reach_idx'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='patient',
            name='patient_reach_idx',
        ),
    ]
