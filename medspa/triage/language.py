"""Language work for the triage engine: which language a message is in, lemmas, known words, spelling.

- simplemma (lemmas and word lists for English and Spanish, no model download, ~40 MB of dictionaries loaded
  lazily per language) gives the lemma of each word ("drooping" -> "droop", "hinchada" -> "hinchar") and
  whether a word is a real English or Spanish word (a real word is never "corrected").
- The language of a message is a vote of its words: the commonest function words of each language, accented
  letters, and, when those tie, simplemma's dictionaries (a word only Spanish knows counts for Spanish).
  This is simplemma's own dictionary-based detection (``simplemma.langdetect``) reduced to the two languages
  we serve, with a per-word cache so it costs microseconds, not the ~0.6 ms of the general detector.
- simplemma's Spanish dictionary takes seconds to load, so it is loaded only once a Spanish message is seen
  (English messages never need it); workers load both up front (``warm_up``, called by the Celery worker).
- pyspellchecker, loaded with the domain vocabulary only (body parts, functions and abnormal states in both
  languages, see concepts.py), proposes the correction of a word neither language knows: its edit-distance-1
  candidates, ranked by their order in the vocabulary so the result never depends on set order.

Everything is cached per word: a message costs a few dictionary look-ups once its words have been seen.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import repeat

import simplemma
from spellchecker import SpellChecker

LANGS = ("en", "es")


def wordset(text: str) -> frozenset[str]:
    """The words of a space-separated list."""
    return frozenset(text.split())


TOKEN = re.compile(r"[a-z]+")
EN_FUNCTION = wordset(
    "i my me the an is are was it and to of for with you your she her he his they have has had i'm i've "
    "since after just now can can't won't will what how this that why when feel feels looks do does did "
    "would could should about if there their our we be been being get got any want need please thanks hi "
    "hello yes okay from at by or but not just really so"
)
ES_FUNCTION = wordset(
    "yo mi mis el la los las un una es son esta estoy estan fue y de del en con por para que se le lo "
    "tengo tiene despues desde ayer hoy ya muy pero como cuando porque hace mas sin su sus al hola gracias "
    "quiero puedo tienen hay cuanto cuesta necesito usted ustedes nos mucho poco bien mal cita si tambien "
    "donde ella el esto eso este ese fui tuve me te les otra otro semana dia dias manana tarde noche"
)
ACCENTED = re.compile("[áéíóúñü¿¡]")

# Filled in by concepts.py (the domain vocabulary, in the order corrections prefer).
DOMAIN_VOCABULARY: list[str] = []


@lru_cache(maxsize=100_000)
def is_known(word: str, lang: str = "en") -> bool:
    """A real English word, or (for a Spanish message) a real Spanish one; accents folded or not."""
    return simplemma.is_known(word, "en") or (lang == "es" and simplemma.is_known(word, "es"))


def _vote(word: str) -> int:
    if word in ES_FUNCTION and word not in EN_FUNCTION:
        return -1
    if word in EN_FUNCTION and word not in ES_FUNCTION:
        return 1
    return 0


# _vote as one dict lookup per word (only the words that vote are keys).
VOTES = {word: vote for word in ES_FUNCTION | EN_FUNCTION if (vote := _vote(word))}


@lru_cache(maxsize=100_000)
def _dictionary_vote(word: str) -> int:
    en, es = simplemma.is_known(word, "en"), simplemma.is_known(word, "es")
    return (1 if en else 0) - (1 if es else 0)


def looks_spanish(original: str, folded: str) -> bool:
    """True when the words of this text lean Spanish (`folded`: lower case, accents folded)."""
    words = TOKEN.findall(folded)
    score = sum(map(VOTES.get, words, repeat(0)))
    score -= 2 * len(ACCENTED.findall(original.lower()))
    if score == 0 and words:
        score = sum(_dictionary_vote(word) for word in words)
    return score < 0


def warm_up() -> None:
    """Load both languages' dictionaries now (seconds), not on a patient's first message."""
    for lang in LANGS:
        simplemma.is_known("a", lang)
        simplemma.lemmatize("a", lang=lang)


@lru_cache(maxsize=100_000)
def lemma(word: str, lang: str) -> str:
    """The dictionary form of a lower-case word in `lang` ("en" or "es"), else the word."""
    try:
        return simplemma.lemmatize(word, lang=lang)
    except ValueError:
        return word


@lru_cache(maxsize=1)
def _speller() -> SpellChecker:
    speller = SpellChecker(language=None, distance=1, case_sensitive=False)
    speller.word_frequency.load_words(DOMAIN_VOCABULARY)
    return speller


@lru_cache(maxsize=1)
def _rank() -> dict[str, int]:
    return {word: i for i, word in enumerate(DOMAIN_VOCABULARY)}


@lru_cache(maxsize=50_000)
def domain_correction(word: str) -> str:
    """The domain word one edit away from an unknown word (first in vocabulary order), else the word."""
    if not DOMAIN_VOCABULARY or word in _rank():
        return word
    speller = _speller()
    candidates = speller.known(speller.edit_distance_1(word))
    if not candidates:
        return word
    rank = _rank()
    return min(candidates, key=lambda c: rank.get(c, len(rank)))
