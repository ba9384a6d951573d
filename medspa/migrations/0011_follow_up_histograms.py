"""Follow-up percentiles come from per-day histograms in DailyFigures (`follow:<route>:<minutes>`).

Days stored before this migration have no histogram, so they are dropped: reads count them live until the
beat task `roll_up_dashboards` stores them again. The partial index that served the live percentile query
(`handoff_follow_up_idx`) has no reader left.
"""

from django.db import migrations


def drop_stored_days(apps, schema_editor):
    apps.get_model("medspa", "DailyFigures").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("medspa", "0010_patient_email_consent_beside_twilio_audit_daily"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="handoff", name="handoff_follow_up_idx"),
        migrations.RunPython(drop_stored_days, migrations.RunPython.noop),
    ]
