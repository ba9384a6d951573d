"""Opt-out by any reasonable means: Twilio's keywords and OptOutType, Spanish, and plain language.

`read_keyword(body, opt_out_type=..., opted_out=...)` says what an inbound text asks for:
- `stop` / `start` / `help`, or `reply` (a message for the front desk);
- `ambiguous`: read as an opt-out (we stop texting at once) but a person should confirm it;
- `source`: "optouttype" (Twilio's Advanced Opt-Out matched it and answered), "keyword" (one of
  Twilio's standard keywords: Twilio answers unless TWILIO_KEYWORD_REPLIES="app") or "app" (only the
  app recognised it: the app confirms). So the patient never gets two replies.

Text is normalised first: Unicode compatibility forms, curly quotes and apostrophes as phones type
them, accents (PARAR, "no más"), punctuation and case.
"""

import re
import unicodedata
from dataclasses import dataclass

STOP, START, HELP, REPLY = "stop", "start", "help", "reply"

# Twilio's default opt-out handling (every long code) recognises exactly these, alone in the message.
TWILIO_STOP = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
TWILIO_START = {"start", "unstop", "yes"}
TWILIO_HELP = {"help", "info"}
# Recognised by the app (Twilio does not, unless configured in Advanced Opt-Out).
APP_STOP = {"stop all", "opt out", "baja", "alto", "parar", "para", "cancelar", "detener", "terminar",
            "darme de baja", "dar de baja", "no mas", "no mas mensajes", "basta", "unsubscribe me"}
APP_START = {"unstop", "alta", "comenzar", "iniciar", "reanudar"}
APP_HELP = {"ayuda"}
OPT_OUT_TYPES = {"STOP": STOP, "START": START, "HELP": HELP}

# Plain-language revocations: honoured at once.
DEFINITE = re.compile(
    r"\bleave me alone\b|\bwrong (number|person|phone)\b|\bnumero equivocado\b"
    r"|\b(dont|do not|don t|never|no longer|quit|stop|please stop|pls stop)\s+"
    r"(text|txt|message|msg|contact|sms)(ing)?\s+me\b"
    r"|\b(stop|quit|no more|end)\s+(the\s+)?"
    r"(texting|texts|text messages|messages|messaging|sending|contacting|these|this|txts)\b"
    r"|\b(please|pls|plz)\s+stop\b|\bstop\s+(please|pls|plz|now|it)\b"
    r"|\bunsubscribe\b|\bopt (me )?out\b|\bremove (me|my number)\b|\btake me off\b|\b(lose|delete) my number\b"
    r"|\bnot interested\W+(stop|quit|unsubscribe)\b|\b(stop|quit)\W+not interested\b"
    r"|\bno me (escriban|escribas|envien|envies|manden|mandes|contacten|contactes)\b"
    r"|\bdej(en|a) de (escribir|enviar|mandar)\b|\bno quiero (mas )?mensajes\b",
)
# Could be an opt-out: stop texting now and ask a person to confirm.
AMBIGUOUS = re.compile(
    r"\bnot interested\b|\bno longer interested\b|\bno longer a patient\b|\bno estoy interesad[oa]\b"
    r"|^(stop|baja|alto|parar|cancelar)\b|\b(stop|baja|alto|parar)$",
)
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
                        "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"'})


@dataclass(frozen=True)
class Keyword:
    kind: str
    ambiguous: bool = False
    source: str = "app"
    matched: str = ""


def normalise(text: str) -> str:
    """'  Don’t TEXT me anymore!! ' -> "dont text me anymore"; 'PARÁR.' -> "parar"."""
    text = unicodedata.normalize("NFKC", text or "").translate(QUOTES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"(\w)'(\w)", r"\1\2", text.casefold())  # don't -> dont, i'm -> im
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


def read_keyword(body: str, *, opt_out_type: str = "", opted_out: bool = False) -> Keyword:
    words = normalise(body)
    kind = OPT_OUT_TYPES.get((opt_out_type or "").strip().upper())
    if kind:  # Twilio Advanced Opt-Out matched one of its (possibly custom) keywords and replied
        return Keyword(kind, source="optouttype", matched=f"OptOutType={opt_out_type.strip().upper()}")
    if words in TWILIO_STOP:
        return Keyword(STOP, source="keyword", matched=words)
    if words in APP_STOP:
        return Keyword(STOP, matched=words)
    if words in TWILIO_START - {"yes"} or words in APP_START or (opted_out and words in {"yes", "y", "si"}):
        return Keyword(START, source="keyword" if words in TWILIO_START else "app", matched=words)
    if words in TWILIO_HELP:
        return Keyword(HELP, source="keyword", matched=words)
    if words in APP_HELP:
        return Keyword(HELP, matched=words)
    found = DEFINITE.search(words)
    if found:
        return Keyword(STOP, matched=found.group(0))
    found = AMBIGUOUS.search(words)
    if found:
        return Keyword(STOP, ambiguous=True, matched=found.group(0))
    return Keyword(REPLY)
