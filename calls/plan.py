"""Which approved answers apply to what the caller said, and what must go to staff unanswered.

The system never composes an answer. It may say the greeting, the closing, the callback confirmation,
the approved wording for the topics below, and the fixed prompts in `PROMPTS`. A question the plan has
no wording for -- and every staff-only or clinical question -- is listed as "not promised".
"""

from dataclasses import dataclass, field

from medspa.routes import Route

from .models import ApprovedAnswer, CallPlanVersion, Topic
from .models.plan import fill, member_placeholders

PROMPTS = {
    "caller_name": "May I have your first and last name?",
    "callback_window": "What is the best time for us to call you back?",
    "reprompt": "Sorry, I did not catch that. How can we help you today?",
    "staff_follow_up": "I have noted your question for our team, and they will answer it when they call you back.",
    "date_of_birth": "For your security, please say your date of birth.",
    "date_of_birth_retry": "Sorry, I could not match that. Please say your date of birth again, for example "
                           "April 12, 1990.",
    "member_callback": "A coordinator will call you back about your account.",
    # After the safety <Dial> to the on-call provider went unanswered; the clinic's emergency wording follows.
    "on_call_unreached": "We could not reach our on-call provider by phone. They have been sent an urgent page.",
}
# The same fixed prompts for a caller heard in Spanish (said with a Spanish voice, see calls.voice).
PROMPTS_ES = {
    "caller_name": "¿Me puede decir su nombre y apellido?",
    "callback_window": "¿Cuál es el mejor horario para devolverle la llamada?",
    "reprompt": "Disculpe, no le entendí. ¿En qué le podemos ayudar?",
    "staff_follow_up": "Anoté su pregunta para nuestro equipo, y se la responderán cuando le devuelvan la llamada.",
    "date_of_birth": "Por su seguridad, por favor diga su fecha de nacimiento.",
    "date_of_birth_retry": "Disculpe, no pude confirmarla. Por favor diga su fecha de nacimiento otra vez, por "
                           "ejemplo 12 de abril de 1990.",
    "member_callback": "Un coordinador le devolverá la llamada sobre su cuenta.",
    "on_call_unreached": "No pudimos comunicarnos por teléfono con nuestro proveedor de guardia. Le enviamos un "
                         "aviso urgente.",
}


def prompts(language: str = "en") -> dict:
    return PROMPTS_ES if language == "es" else PROMPTS

# Yes/no fields from triage -> the approved topic that answers them, and how the question reads to staff.
QUESTION_TOPICS = (
    ("deposit_question", Topic.DEPOSITS, "Deposit question"),
    ("cancellation_question", Topic.CANCELLATION, "Cancellation question"),
    ("cancellation_question", Topic.NO_SHOW, "No-show policy"),
    ("financing_question", Topic.FINANCING, "Financing question"),
    ("credit_question", Topic.MEMBER_CREDITS, "Member credit question"),
    ("renewal_question", Topic.RENEWAL, "Membership renewal question"),
    ("bundle_question", Topic.BUNDLES, "Treatment bundle question"),
)
# Never answered by the system, whatever the plan says.
STAFF_ONLY = (
    ("refund_request", "Refund request"),
    ("exception_request", "Exception or waiver request"),
    ("pause_request", "Membership pause or freeze request"),
)


@dataclass
class PlanAnswers:
    answers: list[dict] = field(default_factory=list)  # [{"topic", "version", "wording"}]
    not_promised: list[str] = field(default_factory=list)

    @property
    def topics(self) -> list[str]:
        return [a["topic"] for a in self.answers]


def answer(version: CallPlanVersion, topic: str, *, clinic: str = "", window: str = "",
           figures: dict | None = None, language: str = "en") -> dict | None:
    """The approved wording for `topic`, filled in; None if there is none, or if it would say a member figure
    that `figures` (a verified caller's, see calls.members_bridge) does not hold.

    For `language` "es" the Spanish wording is used where the plan has it (the answer then says
    ``"language": "es"``); otherwise the English."""
    wording = version.wording().get(topic)
    if not wording:
        return None
    spanish = version.wording_es().get(topic) if language == "es" else ""
    if spanish and member_placeholders(spanish) <= member_placeholders(wording):
        wording = spanish
    needed = member_placeholders(wording)
    if needed and not all((figures or {}).get(name) for name in needed):
        return None
    given = {"topic": str(topic), "version": version.number,
             "wording": fill(wording, clinic=clinic, window=window, figures=figures)}
    if wording == spanish:
        given["language"] = "es"
    if needed:
        given["figures"] = {name: figures[name] for name in sorted(needed)}
    return given


def needs_figures(version: CallPlanVersion, topic: str) -> bool:
    return bool(member_placeholders(version.wording().get(topic) or ""))


def applicable_answers(route: str, fields: dict, matches: dict, version: CallPlanVersion, *,
                       clinic: str = "", figures: dict | None = None, language: str | None = None) -> PlanAnswers:
    """The approved wording that answers this caller (topic order) and the questions left for staff.

    `figures` are the member's own figures, passed only once the caller is verified; wording that says a
    figure is otherwise left for staff ("figures only for a verified caller")."""
    out = PlanAnswers()
    language = language or fields.get("language") or "en"
    if route == Route.SAFETY_ESCALATION:
        emergency = answer(version, Topic.EMERGENCY, clinic=clinic, language=language)
        if emergency:
            out.answers.append(emergency)
        out.not_promised.append("Any reassurance about symptoms: the clinical team calls back")
        return out

    wanted: list[tuple[str, str]] = []
    if fields.get("event_kind") or fields.get("event_source") or route == Route.EVENT_FOLLOW_UP:
        wanted.append((Topic.EVENTS, "Event or offer details"))
    for key, topic, label in QUESTION_TOPICS:
        if fields.get(key):
            wanted.append((topic, label))
    if route == Route.MEMBER_SUPPORT and fields.get("cancellation_question"):
        # Cancelling a membership: the renewal wording carries the last day to cancel before the next charge.
        wanted.append((Topic.RENEWAL, "Membership cancellation question"))
    missing_labels = []
    for topic, label in wanted:
        given = answer(version, topic, clinic=clinic, figures=figures, language=language)
        if given and given["topic"] not in out.topics:
            out.answers.append(given)
        elif not given and needs_figures(version, topic):
            why = "not on file" if figures is not None else "caller not verified"
            missing_labels.append(f"{label} (member figures: {why})")
        elif not given:
            missing_labels.append(f"{label} (no approved answer)")
    # Two topics can share one question (cancellation + no-show): only say "not promised" if neither answered.
    for label in dict.fromkeys(missing_labels):
        base = label.split(" (", 1)[0]
        siblings = [t for k, t, lbl in QUESTION_TOPICS if lbl == base]
        if not any(str(t) in out.topics for t in siblings) and label not in out.not_promised:
            out.not_promised.append(label)
    for key, label in STAFF_ONLY:
        if fields.get(key):
            out.not_promised.append(f"{label}: staff decide")
    for phrase in matches.get(Route.STAFF_REVIEW, []):
        out.not_promised.append(f"Staff-only question: “{phrase}”")
    for phrase in matches.get(Route.PROVIDER_REVIEW, []):
        out.not_promised.append(f"Clinical question for a provider: “{phrase}”")
    out.not_promised = list(dict.fromkeys(out.not_promised))
    return out


def wording_history(location, topic: str) -> list[dict]:
    """Every published version of the location's plan, oldest first, with its wording for `topic` ("" when
    that version had none): what a patient was told at a given moment (`wording_at`)."""
    versions = list(CallPlanVersion.objects.filter(plan__location=location).order_by("number")
                    .values("pk", "number", "created_at"))
    wording = dict(ApprovedAnswer.objects.filter(version__plan__location=location, topic=topic)
                   .values_list("version_id", "wording"))
    return [{"version": v["number"], "published_at": v["created_at"],
             "wording": fill(wording[v["pk"]], clinic=location.name) if v["pk"] in wording else ""}
            for v in versions]


def wording_at(history: list[dict], at) -> dict | None:
    """The version in effect at `at` (the latest published at or before it), or None before the first."""
    current = None
    for entry in history:
        if entry["published_at"] > at:
            break
        current = entry
    return current
