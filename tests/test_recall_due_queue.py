"""PostgreSQL: the sweep finds due schedules through a queue of due times kept by triggers (recall migration 0018).

Whatever moves a schedule's next action time (a form, a queryset `update()`, the importer's bulk writes), the
sweep takes the schedule when that time comes and not before; an entry whose schedule is gone does not stop it;
and its own update of a due schedule writes no index entry (HOT), so its cost grows with the work due.
"""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from recall_support import la, patients_due_at, treated

from medspa.models import Patient
from recall.models import OwedTouch, RecallSchedule
from recall.sweep import sweep

MORNING = la(2026, 6, 15, 10, 0)  # Monday 10:00 in Los Angeles


def due_patients(location, count):
    return patients_due_at(MORNING, location, count)


def sweep_at(moment, **options):
    with time_machine.travel(moment, tick=False):
        return sweep(enqueue=False, **options)


def due_entries(moment) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM recall_due WHERE at <= %s", [moment])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_time_moved_later_by_an_update_is_kept_then_and_not_before(westside):
    due_patients(westside, 1)
    later = MORNING + dt.timedelta(days=2)
    RecallSchedule.objects.update(next_action_at=later)  # no signal, no save(): only the database sees it
    early = sweep_at(MORNING)
    assert early.schedules == 0 and early.owed == []
    assert RecallSchedule.objects.get().next_action_at == later  # filed again at its own time, not changed
    assert sweep_at(later - dt.timedelta(minutes=1)).owed == []
    on_time = sweep_at(later + dt.timedelta(minutes=1))
    assert on_time.schedules == 1 and len(on_time.owed) == 1


@pytest.mark.django_db
def test_a_time_moved_earlier_or_set_again_by_an_update_is_kept_at_the_new_time(westside):
    from factories import PatientFactory

    first, second = PatientFactory.create_batch(2, location=westside)
    with time_machine.travel(MORNING - dt.timedelta(days=75), tick=False):
        for p in (first, second):
            treated(p, 0)  # Neurotoxin (90 days): the window opens well after MORNING
    opens = RecallSchedule.objects.get(patient=first).next_action_at
    assert opens > MORNING + dt.timedelta(days=3)
    RecallSchedule.objects.filter(patient=first).update(next_action_at=MORNING - dt.timedelta(minutes=5))  # earlier
    RecallSchedule.objects.filter(patient=second).update(next_action_at=None)  # stopped, then set again
    RecallSchedule.objects.filter(patient=second).update(next_action_at=MORNING - dt.timedelta(minutes=1))
    result = sweep_at(MORNING)
    assert result.schedules == 2 and result.owed == []  # looked at now: nothing owed yet, planned for the window
    assert set(RecallSchedule.objects.values_list("next_action_at", flat=True)) == {opens}


@pytest.mark.django_db
def test_a_schedule_filed_several_times_owes_one_touch(westside):
    due_patients(westside, 1)
    RecallSchedule.objects.update(next_action_at=None)
    for minutes in (60, 120, 180):  # set again, then each earlier than the one before: each files an entry
        RecallSchedule.objects.update(next_action_at=MORNING - dt.timedelta(minutes=minutes))
    assert due_entries(MORNING) == 4  # the three, and the window's opening filed when the visit was recorded
    result = sweep_at(MORNING)
    assert result.schedules == 1 and len(result.owed) == 1
    assert due_entries(MORNING) == 0
    assert sweep_at(MORNING + dt.timedelta(minutes=5)).owed == []


@pytest.mark.django_db
def test_split_over_batches_a_schedule_filed_twice_still_owes_one_touch(westside):
    due_patients(westside, 3)
    RecallSchedule.objects.update(next_action_at=MORNING - dt.timedelta(hours=1))
    result = sweep_at(MORNING, batch_size=1)
    assert result.schedules == 3 and len(result.owed) == 3
    assert OwedTouch.objects.count() == 3 and due_entries(MORNING) == 0
    assert sweep_at(MORNING + dt.timedelta(minutes=5)).owed == []


@pytest.mark.django_db
def test_entries_of_an_erased_patient_do_not_stop_the_sweep_and_are_dropped(westside):
    kept, erased = due_patients(westside, 2)
    Patient.objects.filter(pk=erased.pk).delete()  # its schedule goes with it; its entry in the queue stays
    result = sweep_at(MORNING, batch_size=1)
    assert result.schedules == 1 and list(OwedTouch.objects.values_list("schedule__patient", flat=True)) == [kept.pk]
    assert due_entries(MORNING) == 0


@pytest.mark.django_db
def test_the_sweeps_update_of_a_due_schedule_writes_no_index_entry(westside):
    due_patients(westside, 6)
    RecallSchedule.objects.update(state=RecallSchedule.State.UPCOMING)  # the sweep moves each to `due`

    def updates():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_get_xact_tuples_updated(%s::regclass), "
                           "pg_stat_get_xact_tuples_hot_updated(%s::regclass)", ["recall_recallschedule"] * 2)
            return cursor.fetchone()

    before = updates()
    result = sweep_at(MORNING)
    after = updates()
    assert result.schedules == 6 and set(RecallSchedule.objects.values_list("state", flat=True)) == {"due"}
    # every update of the sweep is HOT: the new version on the same page, and no index holds a changed column
    assert (after[0] - before[0], after[1] - before[1]) == (6, 6)
