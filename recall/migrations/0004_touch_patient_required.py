import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("recall", "0003_member_touches_reactivation_cutoff")]

    operations = [
        migrations.AlterField(
            model_name="touch",
            name="patient",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="recall_touches",
                                    to="medspa.patient"),
        ),
        migrations.AlterField(
            model_name="recalllink",
            name="patient",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="medspa.patient"),
        ),
    ]
