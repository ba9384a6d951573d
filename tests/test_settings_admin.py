"""Owners edit the catalog and their locations in the settings site; coordinators cannot."""

import pytest
from factories import UserFactory

from medspa.models import AuditLog, Service

pytestmark = pytest.mark.django_db


def test_default_catalog_is_loaded():
    catalog = {s.name: (s.category, s.return_interval_days, s.aliases) for s in Service.objects.all()}
    assert catalog["Neurotoxin"] == ("injectable", 90, ["Botox", "Dysport", "Xeomin", "Daxxify", "Jeuveau"])
    assert catalog["Laser hair removal"][1] == 42 and catalog["HydraFacial"][2] == ["Facial"]
    assert len(catalog) == 8
    assert Service.objects.match("botox").name == "Neurotoxin"
    assert Service.objects.match("  LHR ").name == "Laser hair removal"


def test_owner_edits_a_return_interval(owner_client, olivia):
    service = Service.objects.get(name="Chemical peel")
    page = owner_client.get(f"/admin/medspa/service/{service.pk}/change/")
    assert page.status_code == 200
    response = owner_client.post(f"/admin/medspa/service/{service.pk}/change/", {
        "name": "Chemical peel", "category": "skin", "return_interval_days": 28, "aliases": '["Peel"]',
        "typical_value": "200.00", "is_active": "on"})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.return_interval_days == 28
    assert AuditLog.objects.filter(actor=olivia, action="service.changed").exists()


def test_alias_already_used_by_another_service_is_refused(owner_client):
    service = Service.objects.get(name="Chemical peel")
    response = owner_client.post(f"/admin/medspa/service/{service.pk}/change/", {
        "name": "Chemical peel", "category": "skin", "return_interval_days": 30, "aliases": '["Peel", "Botox"]',
        "typical_value": "200.00", "is_active": "on"})
    assert response.status_code == 200
    assert "already names Neurotoxin" in response.content.decode()


def test_owner_sees_only_own_locations_and_no_patient_records(client, westside, downtown):
    owner = UserFactory(username="wendy", role="owner", locations=[westside])
    client.force_login(owner)
    listing = client.get("/admin/medspa/location/").content.decode()
    assert "Westside Aesthetics" in listing and "Downtown Skin Studio" not in listing
    assert client.get(f"/admin/medspa/location/{downtown.pk}/change/").status_code == 302  # not found -> index
    assert client.get("/admin/medspa/patient/").status_code == 403


def test_coordinator_cannot_open_settings(alice_client):
    response = alice_client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url
