"""Coordinator summary: completeness math per route, exact quotes, next action (pure function)."""

from calls.summary import APPLICABLE, CallFacts, build_summary, summary_text
from medspa.routes import TRIAGE_PRECEDENCE


def facts(route, fields=None, **kw):
    return CallFacts(route=route, reasons=kw.pop("reasons", []), matches=kw.pop("matches", {}),
                     fields=fields or {}, turns=kw.pop("turns", []), **kw)


def test_booking_completeness_counts_captured_over_applicable():
    s = build_summary(facts("booking", {"service_interest": ["Neurotoxin"], "callback_window": "after 5"},
                            caller_name="Ana Lee", phone="+14155550134"))
    assert s["completeness"]["applicable"] == list(APPLICABLE["booking"])
    assert s["completeness"]["missing"] == ["patient_status"]
    assert s["completeness"]["score"] == 0.8  # 4 of 5
    assert s["next_action"] == "Call back to book a consult"


def test_known_patient_counts_as_returning():
    s = build_summary(facts("rebooking", {"service_interest": ["Neurotoxin"]}, phone="+1415", patient_known=True))
    assert s["caller"]["patient_status"] == "returning"
    assert s["completeness"]["captured"] == ["phone", "patient_status", "service_interest"]
    assert s["completeness"]["score"] == 0.6


def test_event_route_needs_source_and_date():
    s = build_summary(facts("event_follow_up", {"event_source": "Instagram"}, phone="+1415",
                            event={"name": "Spring VIP", "date": "2026-04-12", "deadline": "2026-04-10",
                                   "offer": "20% off"}))
    assert s["event"]["event_date"] == "2026-04-12" and s["event"]["deadline"] == "2026-04-10"
    assert s["event"]["offer"] == "20% off"
    assert "event_date" in s["completeness"]["captured"] and "event_source" in s["completeness"]["captured"]
    assert s["completeness"]["score"] == round(3 / 7, 3)


def test_safety_quotes_exact_words_with_the_full_utterance():
    turns = [("system", "How can we help?"), ("caller", "Hi, I had filler Tuesday."),
             ("caller", "Since then my lip looks white and hurts a lot")]
    s = build_summary(facts("safety_escalation", matches={"safety_escalation": ["looks white"]},
                            reasons=["looks white"], turns=turns, caller_name="Ana", phone="+1415"))
    assert s["adverse_event"] == [{"phrase": "looks white",
                                   "utterance": "Since then my lip looks white and hurts a lot"}]
    assert s["completeness"]["score"] == 1.0
    assert s["next_action"].startswith("URGENT")
    text = summary_text(s)
    assert text.startswith("Next action: URGENT")
    assert "“looks white” in: “Since then my lip looks white and hurts a lot”" in text


def test_clinical_and_staff_language_quoted_and_listed():
    turns = [("caller", "I'm breastfeeding, is Botox ok?"), ("caller", "And can I get a refund on my package?")]
    s = build_summary(facts("provider_review", matches={"provider_review": ["breastfeeding"],
                                                         "staff_review": ["refund"]}, turns=turns,
                            not_promised=["Refund request: staff decide"]))
    assert s["clinical_sensitive"][0]["utterance"] == "I'm breastfeeding, is Botox ok?"
    assert s["staff_only"][0]["utterance"] == "And can I get a refund on my package?"
    assert "clinical_question" in s["completeness"]["captured"]
    assert "Not promised: Refund request: staff decide" in summary_text(s)


def test_every_route_has_a_table_row_and_next_action():
    for route in TRIAGE_PRECEDENCE:
        s = build_summary(facts(route))
        assert s["completeness"]["score"] == 0.0 and s["next_action"]
