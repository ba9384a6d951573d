"""Spanish wording in the call plan (issue 10): owners add it beside the English; a caller heard in Spanish
hears it in a Spanish voice and is listened to in Spanish; English callers are unchanged."""

import xml.etree.ElementTree as ET

import pytest
from conftest import VOICE_LINE
from django.urls import reverse

from calls.models import CallPlan, Topic
from medspa.models import Handoff

pytestmark = pytest.mark.django_db

SID = "CA" + "e" * 32
CALLER = "+14155550134"
LINE = VOICE_LINE  # the `clinic` fixture (conftest) answers on it

EMERGENCIA = "Si tiene dificultad para respirar o tragar, cuelgue y llame al 911. Le llamará nuestro equipo clínico."
SALUDO_CIERRE = "Gracias por llamar a {clinic}. Adiós."


def plan_post(version, **changes):
    data = {t.value: version.wording().get(t.value, "") for t in Topic}
    data.update({f"{t.value}_es": version.wording_es().get(t.value, "") for t in Topic})
    data.update(changes)
    return data


def publish_spanish(client, location):
    v1 = CallPlan.current_for(location)
    response = client.post(reverse("calls:plan_location", args=[location.slug]),
                           plan_post(v1, emergency_es=EMERGENCIA, closing_es=SALUDO_CIERRE, note="Español"))
    assert response.status_code == 302
    return CallPlan.current_for(location)


def test_owner_adds_spanish_wording_beside_english(owner_client, westside):
    page = owner_client.get(reverse("calls:plan_location", args=[westside.slug])).content.decode()
    assert "Emergency script (Spanish)" in page
    v2 = publish_spanish(owner_client, westside)
    assert v2.number == 2
    assert v2.wording()["emergency"].startswith("If you are having trouble breathing")  # English unchanged
    assert v2.wording_es() == {"emergency": EMERGENCIA, "closing": SALUDO_CIERRE}
    page = owner_client.get(reverse("calls:plan_location", args=[westside.slug])).content.decode()
    assert "ES: " + EMERGENCIA in page


def test_spanish_needs_english_beside_it_and_valid_placeholders(owner_client, westside):
    v1 = CallPlan.current_for(westside)
    url = reverse("calls:plan_location", args=[westside.slug])
    response = owner_client.post(url, plan_post(v1, deposits_es="Un depósito de $100 aparta su cita."))
    assert response.status_code == 400 and "Add the English wording first" in response.content.decode()
    response = owner_client.post(url, plan_post(v1, closing_es="Gracias por llamar a {clinica}."))
    assert response.status_code == 400 and "Unknown placeholder {clinica}" in response.content.decode()
    assert CallPlan.current_for(westside).number == 1


def parse(response):
    assert response.status_code == 200, response.content
    return ET.fromstring(response.content)  # noqa: S314 (our own TwiML)


def test_spanish_caller_hears_the_spanish_emergency_script(twilio_signed_post, owner_client, clinic, patient):
    publish_spanish(owner_client, clinic)
    twilio_signed_post("/twilio/voice/incoming/", {"CallSid": SID, "From": CALLER, "To": LINE})
    root = parse(twilio_signed_post("/twilio/voice/gather/?seq=1", {
        "CallSid": SID, "SpeechResult": "Tengo problemas para respirar después del botox", "Confidence": "0.9"}))
    says = list(root.iter("Say"))
    assert [(s.text, s.get("language")) for s in says] == [(EMERGENCIA, "es-MX")]
    handoff = Handoff.objects.get()
    assert handoff.route == "safety_escalation" and "problemas para respirar" in handoff.reasons


def test_spanish_caller_is_answered_and_listened_to_in_spanish(twilio_signed_post, owner_client, clinic, patient):
    publish_spanish(owner_client, clinic)
    twilio_signed_post("/twilio/voice/incoming/", {"CallSid": SID, "From": CALLER, "To": LINE})
    root = parse(twilio_signed_post("/twilio/voice/gather/?seq=1", {
        "CallSid": SID, "SpeechResult": "Quiero agendar una cita para botox", "Confidence": "0.9"}))
    gather = root.find("Gather")
    assert gather.get("language") == "es-MX"
    assert [(s.text, s.get("language")) for s in gather.iter("Say")][-1] == (
        "¿Cuál es el mejor horario para devolverle la llamada?", "es-MX")
    root = parse(twilio_signed_post("/twilio/voice/gather/?seq=2", {
        "CallSid": SID, "SpeechResult": "mañana en la tarde", "Confidence": "0.9"}))
    says = [(s.text, s.get("language")) for s in root.iter("Say")]
    assert ("Gracias por llamar a Westside Aesthetics. Adiós.", "es-MX") in says


def test_english_caller_still_hears_english(twilio_signed_post, owner_client, clinic, patient):
    publish_spanish(owner_client, clinic)
    twilio_signed_post("/twilio/voice/incoming/", {"CallSid": SID, "From": CALLER, "To": LINE})
    root = parse(twilio_signed_post("/twilio/voice/gather/?seq=1", {
        "CallSid": SID, "SpeechResult": "my lip went white since the filler", "Confidence": "0.9"}))
    says = list(root.iter("Say"))
    assert says[0].text.startswith("If you are having trouble breathing") and says[0].get("language") is None
