"""Triage engine: route a caller's or texter's words to the right queue and pull out the useful fields.

Pure Python and deterministic: no network, no database.  Public interface::

    from medspa.triage import triage, triage_turns, TriageResult

Policy (issue 10; a clinician decides severity, never the software)
- **safety_escalation**: any report of a *current* symptom, change or reaction after a treatment -- the
  patient's own or someone else's ("my mom's eye is drooping"), however mild it sounds ("a little red after
  microneedling"), hedged ("is it normal that my lip is white?") or negated ("no pain, no swelling, just
  checking") -- and every standalone red flag (trouble breathing or swallowing, vision change, fainting,
  911/ER, allergic reaction), in English or Spanish.  Nobody is ever told a symptom is fine.
- **provider_review**: questions about *possible* effects ("will I bruise?", "how long does swelling
  last?") and eligibility, dose, product, medication, pregnancy and medical-history questions.
- **No confident route -> a human (staff_review), never booking.**  booking and rebooking need positive
  booking intent and no symptom: a booking verb or request (book, schedule, appointment, come in, fit me in,
  available/openings, put me down for; cita, agendar, reservar, disponible, tienen espacio) stands on its own;
  softer phrases ("can I get", "do you offer", "I want/need ...", "<service> please", "me interesa") count
  only beside a named service (catalog or treatment word); a service named alone ("Botox", "my lips look
  thin") goes to staff.  When booking or rebooking would win, a provider signal (eligibility "can I get X if
  I...", dose, pregnancy, medication, "is it safe", "is X common", "will I bruise", "how long will I peel")
  sends it to provider_review and a staff signal (price/cost/how much, refund, cancel, deposit, charged/
  billing, receipt/HSA, gift card, policy, exception, complaint, discount/special deal, balance; Spanish
  precio, reembolso, cancelar, recibo, factura, depósito...) to staff_review (engine._booking_intent).  An
  existing appointment moved, or a treatment worn off ("the 11s are back"), is rebooking.

Routes, highest precedence first (medspa.routes.TRIAGE_PRECEDENCE); the highest route any rule fires wins:

safety_escalation > provider_review > staff_review > member_support > bundle_help > event_follow_up
> rebooking > booking

How the engine understands (text.py, language.py, concepts.py, lexicon.py)
- Normalisation: case and accents folded, contractions and texting forms expanded (u/ur/n/cant/rn/bc,
  Spanish xq/tb/q), repeated letters squeezed ("sooo" -> "so"), fillers dropped, misspellings corrected
  against a domain vocabulary (explicit variants, edit distance on key symptom words, pyspellchecker's
  candidates for words neither English nor Spanish knows).  Language: a vote of function words, accents and
  simplemma's dictionaries ("es" goes in ``fields["language"]``).
- Concepts (concepts.py): every word is looked up by its surface form and its simplemma lemma; safety fires
  on combinations within a clause: body part or function x abnormal state ("smile is crooked", "eyelids
  hang", "voice is hoarse", "párpado caído"), lost ability ("can't lift that eyebrow", "one side won't
  move", "no puedo tragar", "problemas para respirar"), a mild state reported after a treatment ("swollen
  and hard since you did my lips"), plus the standalone red flags of lexicon.SAFETY.  Idioms that only
  look like symptoms ("weak for a good deal", "can't wait to see", "dying to try", "burning question") are
  masked first.
- Rules run on the normalised copy; every reason and every phrase in ``matches`` is an exact substring of
  the input as typed (original case), so staff can audit each decision.
- Pain or a headache together with a recent treatment ("it hurts since my filler") is safety, unless it is
  asked as a question about the future ("does it hurt after the peel?", which is provider_review).
- Mild, expected effects asked about with no report of having them ("is bruising normal after filler?")
  are provider_review.

Deliberate choices others must know
- Default route: when no rule fires, the route is ``staff_review`` (reasons []), whether or not a service is
  named: an unclassifiable message ("Y", "stop", "ok thanks", "Dysport") goes to a human, never to booking.
- Booking vs event_follow_up: event words alone ("saw the VIP night post") give event_follow_up.  An
  explicit booking phrase (book/schedule/appointment/appt/reserve/openings/availability/"get me in"/
  "sign me up") *together with a named service* outranks event_follow_up: "Can I book Botox for the VIP
  night?" is booking (fields still carry event_kind "vip_night").  This is the only departure from the
  precedence list.
- "yes" + a date or time ("yes next tues pm") is rebooking; a bare "Y" is the staff_review default.
- Cancelling an appointment, and any price question ("how much?"), go to staff_review; "how much botox do
  I need" also fires provider_review, which wins.
- "credit card" and "care credit" are not membership credits; "not a member" does not fire member_support.
- Questions about credits, renewals, cancellation, deposits and financing are flagged in ``fields`` even
  when a higher route wins ("refund my deposit" -> staff_review with deposit_question and refund_request).

Dates (see dates.py): resolved in the clinic time zone; "next Friday" = Friday of next calendar week
(weeks start Monday), "Friday"/"this Friday" = next Friday on or after today, "the 12th" = next 12th on or
after today.  Dates after "RSVP by / deadline / ends / expires / until / last day / by / before" are the
``deadline``; other dates in a message about an event are the ``event_date``; all go in ``dates_mentioned``.

Event source: ``event_source`` is the channel the caller heard through (instagram, facebook, tiktok, email,
newsletter, google, website, referral, text_message, flyer, radio); when no channel is named but an event
is, it is the event itself (open_house, vip_night, injectable_day, laser_special, seasonal_offer).
``event_kind`` is the event type named (open_house, vip_night, injectable_day, laser_special, seasonal).

triage_turns: each turn is triaged alone; matches are unioned, the route is decided on the union (same
rules), and fields merge in order: later turns fill gaps and extend lists but never erase or overwrite.
"""

from .engine import TriageResult, merge_fields, triage, triage_turns

__all__ = ["TriageResult", "merge_fields", "triage", "triage_turns"]
