"""Consent captured where it is given: the intake form, the patient page, and a history file's consent columns."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from medspa.models import AuditLog, ConsentEvent, Patient

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 17, 0, tzinfo=dt.UTC)


def test_intake_form_records_both_channels_with_source_and_time(alice_client, alice, westside):
    with time_machine.travel(NOW, tick=False):
        response = alice_client.post(reverse("patient_new"), {
            "first_name": "Sam", "last_name": "Lee", "phone": "(415) 555-0177", "email": "sam@example.com",
            "location": westside.pk, "sms_consent": "on", "email_consent": "on", "consent_source": "verbal"})
    assert response.status_code == 302
    sam = Patient.objects.get(first_name="Sam")
    assert (sam.sms_consent, sam.sms_consent_source, sam.sms_consent_at) == (True, "verbal", NOW)
    assert (sam.email_consent, sam.email_consent_source, sam.email_consent_at) == (True, "verbal", NOW)
    events = {e.channel: e for e in ConsentEvent.objects.filter(patient=sam)}
    assert set(events) == {"sms", "email"}
    assert (events["email"].email, events["sms"].phone, events["sms"].note) == (
        "sam@example.com", "+14155550177", "Recorded by alice")
    page = alice_client.get(reverse("patient_detail", args=[sam.pk])).content.decode()
    assert "Text allowed" in page and "Email allowed" in page and "Verbal (recorded by staff)" in page


def test_email_consent_needs_an_address(alice_client, westside):
    response = alice_client.post(reverse("patient_new"), {
        "first_name": "Ann", "phone": "4155550178", "location": westside.pk, "email_consent": "on"})
    assert response.status_code == 200 and "Add the email address" in response.content.decode()
    assert not Patient.objects.filter(first_name="Ann").exists()


def test_patient_page_records_and_withdraws_consent(alice_client, alice, patient):
    patient.sms_consent, patient.email = False, "jordan@example.com"
    patient.save()
    url = reverse("patient_consent", args=[patient.pk])
    with time_machine.travel(NOW, tick=False):
        alice_client.post(url, {"sms_consent": "on", "email_consent": "on", "consent_source": "written"})
    patient.refresh_from_db()
    assert (patient.sms_consent, patient.sms_consent_source, patient.email_consent) == (True, "written", True)
    assert AuditLog.objects.get(action="patient.consent_recorded").data["channels"] == ["sms", "email"]
    alice_client.post(url, {"sms_consent": "on", "consent_source": "verbal"})  # email withdrawn
    patient.refresh_from_db()
    assert patient.sms_consent and not patient.email_consent and patient.email_contact == "no_consent"
    assert list(ConsentEvent.objects.filter(patient=patient, channel="email").values_list("kind", flat=True)) == [
        "opt_out", "opt_in"]


def test_staff_cannot_undo_a_stop_sent_by_text(alice_client, patient):
    patient.sms_opted_out_at = NOW
    patient.save()
    response = alice_client.post(reverse("patient_consent", args=[patient.pk]), {"sms_consent": "on"},
                                 follow=True)
    assert "texting START" in response.content.decode()
    patient.refresh_from_db()
    assert patient.sms_opted_out_at == NOW and patient.text_contact == "opted_out"


def test_another_locations_patient_is_not_found(client, bob, patient):
    client.force_login(bob)
    assert client.post(reverse("patient_consent", args=[patient.pk]), {"sms_consent": "on"}).status_code == 404


HEADER = ("patient_id,first_name,last_name,phone,email,location,service,provider,visit_date,status,amount,"
          "sms_consent,email_consent\n")


def test_import_maps_consent_columns(tmp_path, westside):
    existing = Patient.objects.create(external_id="P-3", first_name="Kim", location=westside, phone="+14155550103",
                                      sms_consent=True, sms_consent_source="intake_form")
    path = tmp_path / "history.csv"
    path.write_text(HEADER + "".join([
        "P-1,Dana,Due,4155550101,dana@example.com,Westside Aesthetics,Botox,,2026-03-12,completed,450,yes,Y\n",
        "P-2,Lee,Late,4155550102,,Westside Aesthetics,Botox,,2026-03-12,completed,450,,\n",
        "P-3,Kim,Kept,4155550103,,Westside Aesthetics,Botox,,2026-03-12,completed,450,no,\n",
        "P-4,Max,Maybe,4155550104,,Westside Aesthetics,Botox,,2026-03-12,completed,450,maybe,\n",
        "P-5,Eve,Email,4155550105,,Westside Aesthetics,Botox,,2026-03-12,completed,450,,yes\n",
    ]))
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("import_history", str(path), stdout=out)
    report = out.getvalue()
    assert "line 5: sms_consent “maybe” is not yes or no" in report
    assert "line 6: email_consent is yes but the row has no email address" in report
    people = {p.external_id: p for p in Patient.objects.all()}
    assert (people["P-1"].sms_consent, people["P-1"].sms_consent_source, people["P-1"].email_consent) == (
        True, "import", True)
    assert people["P-1"].contact == "text allowed; email allowed"
    assert people["P-2"].contact == "no consent on file"  # blank: not recorded
    assert people["P-3"].sms_consent and people["P-3"].sms_consent_source == "intake_form"  # "no" takes nothing away
    assert existing.pk == people["P-3"].pk
    assert set(ConsentEvent.objects.values_list("patient__external_id", "channel", "source")) == {
        ("P-1", "sms", "import"), ("P-1", "email", "import")}
