"""Text normalisation for the triage engine.

The rules run on a *normalised* copy of the caller's text: lower case, accents folded ("después" ->
"despues"), straight apostrophes, texting forms expanded ("u" -> "you", "ur" -> "your", "n" -> "and",
"cant" -> "can't", "rn" -> "right now", "bc" -> "because", "xq" -> "porque"), runs of three or more
repeated letters squeezed ("sooo" -> "so", "swellinggg" -> "swelling"), filler words such as "um"/"uh"
dropped, runs of spaces, commas and emoji collapsed, and misspellings corrected against a domain
vocabulary.  Every character of the normalised copy remembers where it came from, so a match can be mapped
back to the exact substring the caller typed: reasons are always verbatim slices of the input.

Misspellings: an explicit variant table; then Damerau-Levenshtein (optimal string alignment) distance <= 1
against a short list of key symptom words (words of six letters or more); then, for a word neither English
nor Spanish knows (simplemma's dictionaries), pyspellchecker's edit-distance-1 candidates from the domain
vocabulary (``language.DOMAIN_VOCABULARY``: body parts, functions and abnormal states in both languages).
Real words that happen to sit one edit away (injection/infection, painting/fainting, dropping/drooping...)
are never "corrected".  Deterministic: candidates are ranked by vocabulary order, never by set order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from . import language

FILLERS = frozenset({"um", "umm", "ummm", "uh", "uhh", "uhm", "erm", "hmm", "hm", "mm"})

# Key symptom words corrected by edit distance (only those >= 6 letters take part).
CANONICAL = (
    "swallowing", "swallow", "breathing", "breathe", "vision", "blister", "blisters", "blistering",
    "infection", "infected", "allergic", "drooping", "droopy", "blurry", "blurred", "swelling", "swollen",
    "numbness", "fainted", "fainting", "blanching", "blanched", "abscess", "anaphylaxis", "headache",
    "tingling", "slurred", "spreading", "reaction", "weakness", "tongue", "throat", "dizziness", "eyelid",
)
# Misspellings too far from (or too short for) the edit-distance rule.
VARIANTS = {
    "swolling": "swallowing", "swoling": "swallowing", "swalloing": "swallowing", "swollowing": "swallowing",
    "swallo": "swallow", "swolow": "swallow", "swollow": "swallow",
    "breething": "breathing", "breathin": "breathing", "breating": "breathing", "brething": "breathing",
    "breath": "breath", "breth": "breath", "breathe": "breathe", "breeth": "breath",
    "vison": "vision", "visoin": "vision", "vission": "vision",
    "blistr": "blister", "blistar": "blister",
    "infecton": "infection", "infektion": "infection", "infecshun": "infection", "infaction": "infection",
    "alergic": "allergic", "allergik": "allergic", "alergik": "allergic", "allergick": "allergic",
    "droping": "drooping", "droopey": "droopy", "droopie": "droopy",
    "dizy": "dizzy", "dizzey": "dizzy", "dizzie": "dizzy", "dissy": "dizzy",
    "feaver": "fever", "fevar": "fever", "fevr": "fever",
    "swolen": "swollen", "swolled": "swollen",
    "numbnes": "numbness", "numbess": "numbness",
    "blury": "blurry", "blurrey": "blurry",
    "hedache": "headache", "headach": "headache",
}
# Real words one edit away from a canonical word: never "correct" these.
REAL_WORDS = frozenset({
    "injection", "injections", "injected", "injector", "injectors", "infested", "painted", "painting",
    "spelling", "smelling", "dwelling", "selling", "shelling", "swelling", "dropping", "shallow", "shallows",
    "blaster", "bluster", "glister", "slurry", "flurry", "spurred", "branching", "branched", "breaching",
    "redaction", "threat", "threats", "throats", "tongues", "blurted", "fainter", "feinted", "breathes",
    "breaths", "breathed", "vision", "visions", "allergy", "reactions", "headaches", "eyelids", "tingly",
})


def damerau_levenshtein(a: str, b: str) -> int:
    """Optimal string alignment distance (adjacent transpositions count as one edit)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _edit_distance_correct(word: str) -> str:
    for canon in CANONICAL:
        if len(canon) >= 6 and abs(len(canon) - len(word)) <= 1 and damerau_levenshtein(word, canon) <= 1:
            return canon
    return word


@lru_cache(maxsize=50_000)
def correct(word: str, lang: str = "en") -> str:
    """The canonical spelling of a (lower-case) symptom word, or the word itself."""
    if word in VARIANTS:
        return VARIANTS[word]
    if word in REAL_WORDS or word in CANONICAL:
        return word
    if len(word) >= 6:
        fixed = _edit_distance_correct(word)
        if fixed != word:
            return fixed
    if len(word) >= 5 and not language.is_known(word, lang):
        return language.domain_correction(word)
    return word


WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
SEPARATORS = re.compile("[\\s,;\u2600-\u27bf\U0001f000-\U0001faff\u200d\ufe0f]+")  # spaces, commas, emoji


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str
    index: tuple[int, ...]  # index[i] = position in `original` of normalised character i
    language: str = "en"  # "en" or "es" (language.looks_spanish)

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.index[start], self.index[end - 1] + 1

    def source(self, start: int, end: int) -> str:
        """The exact substring of the original text behind normalised text[start:end]."""
        a, b = self.span(start, end)
        return self.original[a:b]


# Texting forms and missing apostrophes, expanded before the rules run ("rn" only in lower case: "RN" is a
# nurse's title).  Spanish texting forms too ("xq" -> "porque", "tb" -> "tambien").
TEXTING = {
    "u": "you", "ur": "your", "n": "and", "r": "are", "rn": "right now", "bc": "because", "cuz": "because",
    "coz": "because", "pls": "please", "plz": "please", "thx": "thanks", "abt": "about",
    "cant": "can't", "wont": "won't", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "isnt": "isn't",
    "wasnt": "wasn't", "couldnt": "couldn't", "shouldnt": "shouldn't", "wouldnt": "wouldn't", "aint": "ain't",
    "im": "i'm", "ive": "i've", "youre": "you're", "theyre": "they're", "itll": "it'll", "shes": "she's",
    "thats": "that's", "whats": "what's", "theres": "there's", "havent": "haven't", "hasnt": "hasn't",
    "arent": "aren't", "werent": "weren't", "w": "with", "wk": "week", "wks": "weeks", "hr": "hour",
    "hrs": "hours", "yday": "yesterday",
    "xq": "porque", "pq": "porque", "porq": "porque", "tb": "tambien", "tmb": "tambien", "tbn": "tambien",
    "q": "que", "k": "que", "d": "de", "x": "por", "dsd": "desde", "dsde": "desde", "bn": "bien", "tngo": "tengo",
    "tng": "tengo", "dl": "del", "cn": "con", "dsps": "despues", "dps": "despues", "dspues": "despues", "ayr": "ayer",
}
# Short forms that are only expanded in a Spanish message ("k" is "ok" in English texting, "d" a letter).
SPANISH_ONLY = frozenset({"q", "k", "d", "x", "bn", "dl", "cn", "dps"})
REPEATS = re.compile(r"([a-z])\1{2,}")


QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00b4": "'", "`": "'"})


def fold(original: str) -> str:
    """Lower case and accents folded, one character for one character (so positions still map back)."""
    if original.isascii():
        return original.lower().translate(QUOTES)
    out = []
    for ch in original:
        low = ch.lower()
        if len(low) != 1:
            low = ch
        if low in "\u2019\u2018\u00b4`":
            out.append("'")
            continue
        if not low.isascii():
            base = unicodedata.normalize("NFD", low)[0]
            low = base if base.isascii() and base.isalpha() else low
        out.append(low)
    return "".join(out)


@lru_cache(maxsize=50_000)
def squeeze(token: str, lang: str = "en") -> str:
    """"sooo" -> "so", "swellinggg" -> "swelling", "pleeease" -> "please": two letters if that is a word,
    else one."""
    if not REPEATS.search(token):
        return token
    double = REPEATS.sub(r"\1\1", token)
    if language.is_known(double, lang) or correct(double, lang) != double:
        return double
    return REPEATS.sub(r"\1", token)


# One pass over the folded text: a run of separators, a word, or any other single character.
TOKENS = re.compile("(?P<sep>[\\s,;\u2600-\u27bf\U0001f000-\U0001faff\u200d\ufe0f]+)|(?P<word>[a-z]+(?:'[a-z]+)*)|.",
                    re.S)


@lru_cache(maxsize=100_000)
def _fixed(token: str, spanish: bool) -> str | None:
    """A word as the rules read it: None for a filler, texting forms expanded, letters squeezed, spelling fixed.
    ("rn" typed in capitals, a nurse's title, is handled by the caller.)"""
    if token in FILLERS:
        return None
    expanded = TEXTING.get(token)
    if expanded and (token not in SPANISH_ONLY or spanish):
        return expanded
    lang = "es" if spanish else "en"
    return correct(squeeze(token, lang), lang)


def normalize(original: str) -> Normalized:
    lowered = fold(original)
    spanish = language.looks_spanish(original, lowered)
    out: list[str] = []
    index: list[int] = []
    pending_space: int | None = None
    for m in TOKENS.finditer(lowered):
        start, end = m.span()
        kind = m.lastgroup
        if kind == "sep":
            if pending_space is None:
                pending_space = start
            continue
        if kind == "word":
            typed = m.group()
            fixed = _fixed(typed, spanish)
            if fixed is None:  # a filler ("um") reads as a space
                if pending_space is None:
                    pending_space = start
                continue
            if typed == "rn" and original[start:end] != "rn":  # "RN" is a title; "rn" is "right now"
                fixed = correct(squeeze(typed, "es" if spanish else "en"), "es" if spanish else "en")
        else:
            fixed = m.group()
        if pending_space is not None:
            if out and out[-1][-1] != " ":
                out.append(" ")
                index.append(pending_space)
            pending_space = None
        out.append(fixed)
        if len(fixed) == end - start:
            index.extend(range(start, end))
        else:
            last = len(fixed) - 1
            index.extend(end - 1 if k == last else min(start + k, end - 1) for k in range(len(fixed)))
    return Normalized(original, "".join(out), tuple(index), "es" if spanish else "en")
