"""Owners' settings pages: locations (weekly hours, numbers), catalog, providers, recall rules and wording.
Each owner edits only their own locations; shared records need an owner of every location; the Django
admin is for superusers."""

import pytest
from factories import LocationFactory, ProviderFactory, UserFactory

from medspa.models import AuditLog, Location, Provider, Service
from recall.models import MemberTouchTemplate, RecallRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(downtown):
    """Owner of Downtown only."""
    return UserFactory(username="sam", role="owner", locations=[downtown])


@pytest.fixture
def sam_client(client, sam):
    client.force_login(sam)
    return client


def location_post(location, **changes):
    data = {"name": location.name, "time_zone": location.time_zone, "address": location.address,
            "phone": str(location.phone or ""), "voice_number": str(location.voice_number or ""),
            "sms_number": str(location.sms_number or ""), "on_call_number": str(location.on_call_number or "")}
    for day in ("mon", "tue", "wed", "thu", "fri"):
        data[f"{day}_opens"], data[f"{day}_closes"] = "09:00", "18:00"
    data.update(changes)
    return data


def test_default_catalog_is_loaded():
    catalog = {s.name: (s.category, s.return_interval_days, s.aliases) for s in Service.objects.all()}
    assert catalog["Neurotoxin"] == ("injectable", 90, ["Botox", "Dysport", "Xeomin", "Daxxify", "Jeuveau"])
    assert catalog["Laser hair removal"][1] == 42 and catalog["HydraFacial"][2] == ["Facial"]
    assert len(catalog) == 8
    assert Service.objects.match("botox").name == "Neurotoxin"
    assert Service.objects.match("  LHR ").name == "Laser hair removal"


def test_owner_sets_business_hours_on_a_weekly_grid(owner_client, westside, olivia):
    page = owner_client.get(f"/settings/locations/{westside.pk}/")
    assert page.status_code == 200 and 'type="time"' in page.content.decode()
    response = owner_client.post(f"/settings/locations/{westside.pk}/", location_post(
        westside, sat_opens="10:00", sat_closes="14:00", on_call_number="(415) 555-0177"))
    assert response.status_code == 302
    westside.refresh_from_db()
    assert westside.business_hours == {**{d: ["09:00", "18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
                                       "sat": ["10:00", "14:00"]}
    assert str(westside.on_call_number) == "+14155550177"
    assert AuditLog.objects.filter(actor=olivia, action="location.changed").exists()


@pytest.mark.parametrize("changes, error", [
    ({"mon_opens": "18:00", "mon_closes": "09:00"}, "Monday: closing time must be after opening time."),
    ({"tue_opens": "09:00", "tue_closes": ""}, "Tuesday: give both opening and closing times, or neither."),
    ({"voice_number": "12"}, "Enter a valid phone number"),
])
def test_bad_hours_and_numbers_are_clear_errors(owner_client, westside, changes, error):
    before = Location.objects.get(pk=westside.pk).business_hours
    response = owner_client.post(f"/settings/locations/{westside.pk}/", location_post(westside, **changes))
    assert response.status_code == 400 and error in response.content.decode()
    assert Location.objects.get(pk=westside.pk).business_hours == before


def test_a_location_cannot_take_another_locations_number(sam_client, westside, downtown):
    """Takeover 2: Downtown's owner sets Downtown's voice/SMS number to Westside's."""
    westside.voice_number = "+14155550101"
    westside.save()
    for field, number in (("voice_number", "+14155550101"), ("sms_number", str(westside.sms_number)),
                          ("voice_number", str(westside.sms_number))):
        response = sam_client.post(f"/settings/locations/{downtown.pk}/", location_post(downtown, **{field: number}))
        assert response.status_code == 400
        assert "already used by Westside Aesthetics" in response.content.decode()
    downtown.refresh_from_db()
    assert str(downtown.voice_number) == "" and str(downtown.sms_number) != str(westside.sms_number)


def test_one_number_may_serve_voice_and_texts_at_one_location(owner_client, westside):
    response = owner_client.post(f"/settings/locations/{westside.pk}/",
                                 location_post(westside, voice_number=str(westside.sms_number)))
    assert response.status_code == 302
    westside.refresh_from_db()
    assert westside.voice_number == westside.sms_number


def test_owner_edits_only_their_own_locations(sam_client, westside, downtown):
    assert sam_client.get(f"/settings/locations/{westside.pk}/").status_code == 404
    assert sam_client.post(f"/settings/locations/{westside.pk}/",
                           location_post(westside, name="Hijacked")).status_code == 404
    assert Location.objects.get(pk=westside.pk).name == "Westside Aesthetics"
    index = sam_client.get("/settings/").content.decode()
    assert "Downtown Skin Studio" in index and "Westside Aesthetics" not in index


def test_owner_of_every_location_edits_a_return_interval(owner_client, olivia):
    service = Service.objects.get(name="Chemical peel")
    response = owner_client.post(f"/settings/services/{service.pk}/", {
        "name": "Chemical peel", "category": "skin", "return_interval_days": 28, "aliases": "Peel",
        "typical_value": "200.00", "is_active": "on"})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.return_interval_days == 28 and service.aliases == ["Peel"]
    assert AuditLog.objects.filter(actor=olivia, action="service.changed").exists()


def test_alias_already_used_by_another_service_is_refused(owner_client):
    service = Service.objects.get(name="Chemical peel")
    response = owner_client.post(f"/settings/services/{service.pk}/", {
        "name": "Chemical peel", "category": "skin", "return_interval_days": 30, "aliases": "Peel, Botox",
        "typical_value": "200.00", "is_active": "on"})
    assert response.status_code == 400
    assert "already names Neurotoxin" in response.content.decode()


def test_single_location_owner_reads_shared_records_but_cannot_change_them(sam_client, westside):
    neurotoxin = Service.objects.get(name="Neurotoxin")
    listing = sam_client.get("/settings/services/").content.decode()
    assert "Neurotoxin" in listing and "only an owner of all locations" in listing
    assert sam_client.post(f"/settings/services/{neurotoxin.pk}/", {
        "name": "Neurotoxin", "category": "injectable", "return_interval_days": 7, "aliases": "Botox",
        "typical_value": "450", "is_active": "on"}).status_code == 403
    assert Service.objects.get(pk=neurotoxin.pk).return_interval_days == 90
    assert sam_client.post(f"/settings/recall/{neurotoxin.pk}/", {"interval_days": 7}).status_code == 403
    template = MemberTouchTemplate.objects.first()
    if template is not None:
        assert sam_client.post(f"/settings/wording/{template.pk}/", {"body": "x"}).status_code == 403


def test_owner_of_every_location_edits_a_recall_rule(owner_client):
    service = Service.objects.get(name="Neurotoxin")
    rule = RecallRule.for_service(service)
    data = {f: getattr(rule, f) for f in ("interval_days", "window_opens_days", "late_after_days",
                                          "lapsed_after_days", "stop_after_lapsed_days", "max_touches",
                                          "min_days_between", "on_time_template", "late_template",
                                          "reactivation_template")}
    data.update(is_active="on", interval_days=100, channel="text_first")
    assert owner_client.post(f"/settings/recall/{service.pk}/", data).status_code == 302
    assert RecallRule.objects.get(service=service).interval_days == 100
    data["late_template"] = "Hi {first_name}, time for your Botox! {link}"
    response = owner_client.post(f"/settings/recall/{service.pk}/", data)
    assert response.status_code == 400


def test_provider_at_two_locations_is_read_only_for_a_single_location_owner(sam_client, westside, downtown):
    both = ProviderFactory(name="Dr. Both", locations=[westside, downtown])
    listing = sam_client.get("/settings/providers/").content.decode()
    assert "Dr. Both" in listing and "also at a location you do not own" in listing
    assert sam_client.post(f"/settings/providers/{both.pk}/", {
        "name": "Dr. Both", "locations": [downtown.pk], "is_active": "on"}).status_code == 403
    assert set(Provider.objects.get(pk=both.pk).locations.all()) == {westside, downtown}


def test_provider_form_offers_only_own_locations_and_staff(sam_client, sam, westside, downtown):
    UserFactory(username="casey-west", role="coordinator", locations=[westside])
    UserFactory(username="devon-down", role="coordinator", locations=[downtown])
    form = sam_client.get("/settings/providers/new/").content.decode()
    assert "devon-down" in form and "casey-west" not in form
    assert "Westside Aesthetics" not in form
    response = sam_client.post("/settings/providers/new/", {"name": "Dr. New", "locations": [westside.pk]})
    assert response.status_code == 400 and not Provider.objects.filter(name="Dr. New").exists()
    response = sam_client.post("/settings/providers/new/", {"name": "Dr. New", "locations": [downtown.pk],
                                                            "is_active": "on"})
    assert response.status_code == 302
    assert list(Provider.objects.get(name="Dr. New").locations.all()) == [downtown]


def test_a_new_location_makes_the_catalog_read_only_for_owners_not_there(owner_client):
    LocationFactory(name="Third Clinic")
    assert owner_client.get("/settings/services/new/").status_code == 403


def test_owners_and_coordinators_are_kept_out_of_the_django_admin(owner_client, client, alice):
    response = owner_client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert owner_client.get("/admin/medspa/service/").status_code == 302


def test_superuser_keeps_the_admin(client):
    root = UserFactory(username="root", role="owner", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get("/admin/medspa/location/").status_code == 200


def test_coordinator_cannot_open_settings(alice_client):
    assert alice_client.get("/settings/").status_code == 403
    assert alice_client.get("/settings/audit/").status_code == 403


def test_settings_pages_render_for_owner(owner_client, westside):
    for path in ["/settings/", "/settings/services/", "/settings/providers/", "/settings/recall/",
                 "/settings/services/new/", "/settings/providers/new/", f"/settings/locations/{westside.pk}/"]:
        assert owner_client.get(path).status_code == 200, path


def test_settings_flags_a_routed_location_with_no_on_call_number(owner_client, westside):
    westside.voice_number, westside.on_call_number = "+13105550100", ""
    westside.save()
    assert "safety calls to this location ring no one" in owner_client.get("/settings/").content.decode()
    westside.on_call_number = "+13105550199"
    westside.save()
    assert "safety calls to this location ring no one" not in owner_client.get("/settings/").content.decode()
