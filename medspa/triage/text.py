"""Text normalisation for the triage engine.

The rules run on a *normalised* copy of the caller's text (lower case, straight apostrophes, filler words
such as "um"/"uh" dropped, runs of spaces, commas and emoji collapsed, misspellings of symptom words
corrected).  Every character of the normalised copy remembers where it came from, so a match can be mapped
back to the exact substring the caller typed: reasons are always verbatim slices of the input.

Misspellings: an explicit variant table plus Damerau-Levenshtein (optimal string alignment) distance <= 1
against a short list of key symptom words, only for words of six letters or more, and never for real words
that happen to sit one edit away (injection/infection, painting/fainting, dropping/drooping...).
Deterministic: the first canonical word in list order wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def correct(word: str) -> str:
    """The canonical spelling of a (lower-case) symptom word, or the word itself."""
    if word in VARIANTS:
        return VARIANTS[word]
    if len(word) < 6 or word in REAL_WORDS or word in CANONICAL:
        return word
    for canon in CANONICAL:
        if len(canon) >= 6 and abs(len(canon) - len(word)) <= 1 and damerau_levenshtein(word, canon) <= 1:
            return canon
    return word


WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
SEPARATORS = re.compile("[\\s,;\u2600-\u27bf\U0001f000-\U0001faff\u200d\ufe0f]+")  # spaces, commas, emoji


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str
    index: tuple[int, ...]  # index[i] = position in `original` of normalised character i

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.index[start], self.index[end - 1] + 1

    def source(self, start: int, end: int) -> str:
        """The exact substring of the original text behind normalised text[start:end]."""
        a, b = self.span(start, end)
        return self.original[a:b]


def normalize(original: str) -> Normalized:
    lowered = original.lower().replace("\u2019", "'").replace("\u2018", "'")
    if len(lowered) != len(original):  # exotic case folding changed lengths: fall back to ASCII-only lowering
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in original)
        lowered = lowered.replace("\u2019", "'").replace("\u2018", "'")
    out: list[str] = []
    index: list[int] = []
    pos = 0
    pending_space: int | None = None

    def emit(chars: str, start: int, end: int) -> None:
        nonlocal pending_space
        if pending_space is not None:
            if out and out[-1] != " ":
                out.append(" ")
                index.append(pending_space)
            pending_space = None
        last = len(chars) - 1
        for k, ch in enumerate(chars):
            out.append(ch)
            index.append(end - 1 if k == last else min(start + k, end - 1))

    while pos < len(lowered):
        sep = SEPARATORS.match(lowered, pos)
        if sep:
            if pending_space is None:
                pending_space = sep.start()
            pos = sep.end()
            continue
        word = WORD.match(lowered, pos)
        if word:
            token = word.group()
            if token in FILLERS:
                if pending_space is None:
                    pending_space = word.start()
            else:
                fixed = correct(token)
                if fixed == token:
                    emit(token, word.start(), word.end())
                else:
                    emit(fixed, word.start(), word.end())
            pos = word.end()
            continue
        emit(lowered[pos], pos, pos + 1)
        pos += 1
    return Normalized(original, "".join(out), tuple(index))
