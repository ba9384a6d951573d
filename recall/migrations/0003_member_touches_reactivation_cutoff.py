"""Member touchpoints share the recall outbox; reactivation cutoff on recall rules.

Touch and RecallLink gain a patient (backfilled from their schedule here, made required in 0004:
PostgreSQL refuses to change a column's nullability in the transaction that updated its rows);
Touch gains source, service (backfilled from the schedule's service) and context; member kinds.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

DEFAULT_MEMBER_TEMPLATES = {
    "renewal_reminder": "Hi {first_name}, {clinic} here. Your membership renews soon. Questions, or want to book "
                        "a visit? Tap here: {link} Reply STOP to opt out.",
    "credits_expiring": "Hi {first_name}, it's {clinic}. Some of your membership credits expire soon. "
                        "Ask for a time to use them here: {link} Reply STOP to opt out.",
    "bundle_idle": "Hi {first_name}, {clinic} here. You still have sessions left in your package. Ask "
                   "for a time that suits you: {link} Reply STOP to opt out.",
    "bundle_expiring": "Hi {first_name}, it's {clinic}. Your package expires soon and you still have "
                       "sessions left. Ask for a time here: {link} Reply STOP to opt out.",
}


def backfill(apps, schema_editor):
    Touch = apps.get_model("recall", "Touch")
    RecallLink = apps.get_model("recall", "RecallLink")
    RecallSchedule = apps.get_model("recall", "RecallSchedule")
    schedule = RecallSchedule.objects.filter(pk=OuterRef("schedule_id"))
    Touch.objects.filter(patient__isnull=True).update(
        patient_id=Subquery(schedule.values("patient_id")[:1]),
        service_id=Subquery(schedule.values("service_id")[:1]),
    )
    RecallLink.objects.filter(patient__isnull=True).update(patient_id=Subquery(schedule.values("patient_id")[:1]))
    MemberTouchTemplate = apps.get_model("recall", "MemberTouchTemplate")
    for kind, body in DEFAULT_MEMBER_TEMPLATES.items():
        MemberTouchTemplate.objects.get_or_create(kind=kind, defaults={"body": body})


class Migration(migrations.Migration):

    dependencies = [
        ('medspa', '0002_default_catalog'),
        ('recall', '0002_default_rules'),
    ]

    operations = [
        migrations.CreateModel(
            name='MemberTouchTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('renewal_reminder', 'Renewal coming up'), ('credits_expiring', 'Credits about to expire'), ('bundle_idle', 'Bundle sessions unused'), ('bundle_expiring', 'Bundle expiring')], max_length=20, unique=True)),
                ('body', models.TextField(help_text='Only {first_name}, {clinic} and {link}; never a treatment name, balance or price. GSM-7 characters, at most two text segments.')),
                ('is_active', models.BooleanField(default=True, help_text='Off: this member touchpoint is not sent.')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['kind'],
            },
        ),
        migrations.AddField(
            model_name='attribution',
            name='source',
            field=models.CharField(choices=[('recall', 'Recall'), ('member', 'Member touchpoint')], default='recall', max_length=8),
        ),
        migrations.AddField(
            model_name='recalllink',
            name='patient',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='medspa.patient'),
        ),
        migrations.AddField(
            model_name='recallrule',
            name='stop_after_lapsed_days',
            field=models.PositiveIntegerField(default=365, help_text='Days after lapsing when recall gives up and closes the schedule without a touch (0 = never). Keeps an imported history from texting people who left long ago.'),
        ),
        migrations.AddField(
            model_name='touch',
            name='context',
            field=models.JSONField(blank=True, default=dict, help_text='Member touchpoints: membership/bundle ids and dates (never texted).'),
        ),
        migrations.AddField(
            model_name='touch',
            name='patient',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='recall_touches', to='medspa.patient'),
        ),
        migrations.AddField(
            model_name='touch',
            name='service',
            field=models.ForeignKey(blank=True, help_text='The service a visit must be for to count as recovered; empty: any visit (renewal, credits).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='medspa.service'),
        ),
        migrations.AddField(
            model_name='touch',
            name='source',
            field=models.CharField(choices=[('recall', 'Recall'), ('member', 'Member touchpoint')], default='recall', max_length=8),
        ),
        migrations.AlterField(
            model_name='attribution',
            name='kind',
            field=models.CharField(choices=[('on_time', 'On-time reminder'), ('late', 'Late nudge'), ('reactivation', 'Reactivation'), ('renewal_reminder', 'Renewal coming up'), ('credits_expiring', 'Credits about to expire'), ('bundle_idle', 'Bundle sessions unused'), ('bundle_expiring', 'Bundle expiring')], max_length=20),
        ),
        migrations.AlterField(
            model_name='recalllink',
            name='schedule',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='links', to='recall.recallschedule'),
        ),
        migrations.AlterField(
            model_name='touch',
            name='idempotency_key',
            field=models.CharField(help_text="Recall: schedule_id:number. Member: the touchpoint's key.", max_length=80, unique=True),
        ),
        migrations.AlterField(
            model_name='touch',
            name='kind',
            field=models.CharField(choices=[('on_time', 'On-time reminder'), ('late', 'Late nudge'), ('reactivation', 'Reactivation'), ('renewal_reminder', 'Renewal coming up'), ('credits_expiring', 'Credits about to expire'), ('bundle_idle', 'Bundle sessions unused'), ('bundle_expiring', 'Bundle expiring')], max_length=20),
        ),
        migrations.AlterField(
            model_name='touch',
            name='number',
            field=models.PositiveIntegerField(blank=True, help_text='Recall: 1, 2, 3… for this schedule (never reused).', null=True),
        ),
        migrations.AlterField(
            model_name='touch',
            name='schedule',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='touches', to='recall.recallschedule'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='touch',
            index=models.Index(fields=['patient', '-created_at'], name='touch_patient_idx'),
        ),
        migrations.AddConstraint(
            model_name='touch',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('schedule__isnull', True), ('source', 'member')), models.Q(('schedule__isnull', False), ('source', 'recall')), _connector='OR'), name='touch_source_schedule'),
        ),
    ]
