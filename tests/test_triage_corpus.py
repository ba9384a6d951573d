"""Integrity of the labelled triage corpus (tests/triage_corpus/): the files, not the engine.

The engine's own evaluation (manage.py triage_eval) reads these files; this module only guards that they
stay well formed, that the two splits never share a message, and that held-out stays frozen.
"""

import collections
import hashlib
import json
from pathlib import Path

import pytest

from medspa.routes import TRIAGE_PRECEDENCE, Route

CORPUS = Path(__file__).resolve().parent / "triage_corpus"
SPLITS = ("dev", "heldout")
FIELDS = {"id", "text", "route", "lang", "channel", "kind"}
ROUTE_OF_KIND = {
    "adverse": Route.SAFETY_ESCALATION,
    "possible_effect": Route.PROVIDER_REVIEW,
    "clinical_question": Route.PROVIDER_REVIEW,
    "booking": Route.BOOKING,
    "rebooking": Route.REBOOKING,
    "event": Route.EVENT_FOLLOW_UP,
    "member": Route.MEMBER_SUPPORT,
    "bundle": Route.BUNDLE_HELP,
    "staff": Route.STAFF_REVIEW,
    "unclear": Route.STAFF_REVIEW,
    "benign_alarming": None,  # labelled with the route of what it is really about, never safety
}
# Per split, every route needs at least this many messages in each language.
MIN_PER_ROUTE_AND_LANG = {"en": 35, "es": 10}
MIN_TOTAL = 1500
MIN_BENIGN_ALARMING_PER_SPLIT = 100
# Held-out is frozen (README.md). Changing it on purpose means a new hash here and a note in the README.
HELDOUT_SHA256 = "7bccb35f5c385a6da764cb4f1f3a08305eeddd5535ef6c5172a8f3024e5d9575"


def normalise(text):
    return " ".join(text.lower().split())


def load(split):
    rows = []
    path = CORPUS / f"{split}.jsonl"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"{path.name}:{number} is not JSON: {exc}")
        assert isinstance(row, dict), f"{path.name}:{number} is not an object"
        rows.append((number, row))
    return rows


@pytest.fixture(scope="module")
def corpus():
    return {split: load(split) for split in SPLITS}


def test_every_line_has_the_fields_and_allowed_values(corpus):
    for split, rows in corpus.items():
        for number, row in rows:
            where = f"{split}.jsonl:{number}"
            assert set(row) == FIELDS, f"{where} has fields {sorted(row)}"
            assert all(isinstance(row[f], str) for f in FIELDS), f"{where} has a non-string field"
            assert row["text"].strip() and row["id"].strip(), f"{where} has an empty text or id"
            assert row["route"] in TRIAGE_PRECEDENCE, f"{where} has unknown route {row['route']!r}"
            assert row["lang"] in {"en", "es"}, f"{where} has lang {row['lang']!r}"
            assert row["channel"] in {"call", "sms"}, f"{where} has channel {row['channel']!r}"
            assert row["kind"] in ROUTE_OF_KIND, f"{where} has kind {row['kind']!r}"
            expected = ROUTE_OF_KIND[row["kind"]]
            if expected is None:
                assert row["route"] != Route.SAFETY_ESCALATION, f"{where}: a benign message labelled safety"
            else:
                assert row["route"] == expected, f"{where}: kind {row['kind']} must route to {expected}"


def test_ids_are_unique_across_both_splits(corpus):
    ids = collections.Counter(row["id"] for rows in corpus.values() for _, row in rows)
    assert [i for i, n in ids.items() if n > 1] == []


def test_no_message_appears_twice_or_in_both_splits(corpus):
    seen = {}
    for split, rows in corpus.items():
        for number, row in rows:
            key = normalise(row["text"])
            assert key not in seen, f"{split}.jsonl:{number} repeats {seen.get(key)}: {row['text']!r}"
            seen[key] = f"{split}.jsonl:{number}"


def test_size_and_balance_per_split(corpus):
    total = sum(len(rows) for rows in corpus.values())
    assert total >= MIN_TOTAL
    counts = collections.Counter(
        (split, row["route"], row["lang"]) for split, rows in corpus.items() for _, row in rows
    )
    short = [
        (split, route, lang, counts[(split, route, lang)])
        for split in SPLITS
        for route in TRIAGE_PRECEDENCE
        for lang, minimum in MIN_PER_ROUTE_AND_LANG.items()
        if counts[(split, route, lang)] < minimum
    ]
    assert short == [], f"routes below the minimum per language: {short}"
    for split, rows in corpus.items():
        assert 0.45 <= len(rows) / total <= 0.55, f"{split} holds {len(rows)} of {total}"
        kinds = collections.Counter((row["kind"], row["lang"]) for _, row in rows)
        missing = [(k, lang) for k in ROUTE_OF_KIND for lang in ("en", "es") if not kinds[(k, lang)]]
        assert missing == [], f"{split} has no messages of {missing}"
        benign = sum(n for (k, _), n in kinds.items() if k == "benign_alarming")
        assert benign >= MIN_BENIGN_ALARMING_PER_SPLIT, f"{split} has only {benign} benign look-alikes"


def test_heldout_is_frozen():
    digest = hashlib.sha256((CORPUS / "heldout.jsonl").read_bytes()).hexdigest()
    assert digest == HELDOUT_SHA256, "heldout.jsonl changed: held-out is frozen, add new messages to dev.jsonl"
