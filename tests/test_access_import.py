"""The history upload changes only the uploader's own locations' patients and names only their providers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from factories import PatientFactory, ProviderFactory, UserFactory

from medspa.models import Patient, Visit
from recall.importer import COLUMNS
from recall.models import ImportJob
from recall.tasks import run_import

pytestmark = pytest.mark.django_db


def upload(client, *rows):
    """Upload, run the background job as the worker would, and return the job's report page."""
    data = "\n".join([",".join(COLUMNS), *rows]).encode()
    response = client.post("/recall/import/", {"file": SimpleUploadedFile("history.csv", data)})
    assert response.status_code == 302
    run_import(ImportJob.objects.latest("pk").pk)
    return client.get(response.url)


def test_an_owner_of_one_location_cannot_import_into_another_locations_patient(client, westside, downtown):
    theirs = PatientFactory(first_name="Wes", last_name="Side", external_id="W-1", location=westside)
    client.force_login(UserFactory(username="sam", role="owner", locations=[downtown]))
    response = upload(client, f"W-1,Mallory,Taken,+16025550999,,{downtown.name},Neurotoxin,,2025-01-02,completed,450")
    assert response.status_code == 200
    assert "patient_id belongs to a patient of another location" in response.content.decode()
    theirs.refresh_from_db()
    assert (theirs.first_name, theirs.last_name) == ("Wes", "Side") and str(theirs.phone) != "+16025550999"
    assert not Visit.objects.filter(patient=theirs).exists()


def test_providers_of_other_locations_are_not_offered(client, westside, downtown):
    ProviderFactory(name="Dr. West", locations=[westside])
    client.force_login(UserFactory(username="sam", role="owner", locations=[downtown]))
    upload(client, f"D-1,Dee,Down,+16025550998,,{downtown.name},Neurotoxin,Dr. West,2025-01-02,completed,450")
    visit = Visit.objects.get(patient__external_id="D-1")
    assert visit.provider is None and visit.location == downtown
    assert Patient.objects.get(external_id="D-1").location == downtown
