"""Scoring the triage engine against the labelled corpus in tests/triage_corpus/ (``manage.py triage_eval``).

Each corpus file is JSON lines: ``{"id", "text", "route", "lang": "en"|"es", "channel": "call"|"sms", "kind"}``.
``dev.jsonl`` is the development split (tune on it); ``heldout.jsonl`` is scored only in aggregate.

Figures (all on the gold label ``route``):
- per route: recall (share of messages of that route sent there) and precision (share of messages sent there
  that belong there), overall and per language;
- safety recall per language: adverse messages (gold ``safety_escalation``) escalated;
- adverse -> booking/rebooking: adverse messages sent to a booking queue (must be 0);
- benign escalated: messages whose gold route is not safety that the engine escalated (share);
- clinical to a human: messages whose gold route is safety_escalation or provider_review that land on a
  clinical or staff queue (safety_escalation, provider_review or staff_review), never a sales queue;
- human -> booking: messages whose gold route is staff_review or provider_review that land on booking or
  rebooking (count and share of those messages; the policy allows at most 1%), and the precision of the
  booking route (share of messages sent to booking that are bookings).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from medspa.routes import TRIAGE_PRECEDENCE, Route

from .engine import triage

CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "triage_corpus"
SPLITS = {"dev": ("dev.jsonl",), "heldout": ("heldout.jsonl",), "all": ("dev.jsonl", "heldout.jsonl")}
REQUIRED = ("id", "text", "route", "lang", "channel")
SAFETY = Route.SAFETY_ESCALATION.value
CLINICAL = (SAFETY, Route.PROVIDER_REVIEW.value)
HUMAN_CLINICAL = (SAFETY, Route.PROVIDER_REVIEW.value, Route.STAFF_REVIEW.value)
BOOKING_QUEUES = (Route.BOOKING.value, Route.REBOOKING.value)
HUMAN_REVIEW = (Route.STAFF_REVIEW.value, Route.PROVIDER_REVIEW.value)


class CorpusError(ValueError):
    """A corpus file is missing or a line is not a valid record (the message says which line)."""


def load(split: str, corpus_dir: Path = CORPUS_DIR) -> list[dict]:
    if split not in SPLITS:
        raise CorpusError(f"Unknown split {split!r}; use one of {', '.join(SPLITS)}.")
    rows: list[dict] = []
    for name in SPLITS[split]:
        path = Path(corpus_dir) / name
        if not path.exists():
            raise CorpusError(f"{path} does not exist.")
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CorpusError(f"{name} line {number}: not JSON ({exc.msg}).") from None
                missing = [key for key in REQUIRED if not isinstance(row.get(key), str) or not row[key]]
                if missing:
                    raise CorpusError(f"{name} line {number}: missing {', '.join(missing)}.")
                if row["route"] not in TRIAGE_PRECEDENCE:
                    raise CorpusError(f"{name} line {number}: unknown route {row['route']!r}.")
                rows.append(row)
    return rows


@dataclass
class Report:
    split: str
    total: int = 0
    confusion: dict = field(default_factory=lambda: defaultdict(Counter))  # gold -> predicted -> n
    by_lang: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(Counter)))
    misses: list = field(default_factory=list)  # (row, predicted, reasons), only kept when asked

    def _prf(self, confusion) -> dict:
        out = {}
        for route in TRIAGE_PRECEDENCE:
            gold = sum(confusion[route].values())
            predicted = sum(confusion[g][route] for g in confusion)
            hit = confusion[route][route]
            out[route] = {"support": gold, "recall": hit / gold if gold else None,
                          "precision": hit / predicted if predicted else None}
        return out

    def figures(self) -> dict:
        langs = sorted(self.by_lang)
        adverse = {lang: sum(self.by_lang[lang][SAFETY].values()) for lang in langs}
        escalated = {lang: self.by_lang[lang][SAFETY][SAFETY] for lang in langs}
        benign = sum(n for gold, row in self.confusion.items() if gold != SAFETY for n in row.values())
        benign_escalated = sum(row[SAFETY] for gold, row in self.confusion.items() if gold != SAFETY)
        clinical = sum(n for gold in CLINICAL for n in self.confusion[gold].values())
        clinical_human = sum(self.confusion[gold][p] for gold in CLINICAL for p in HUMAN_CLINICAL)
        human = sum(n for gold in HUMAN_REVIEW for n in self.confusion[gold].values())
        human_booked = sum(self.confusion[gold][q] for gold in HUMAN_REVIEW for q in BOOKING_QUEUES)
        booking = Route.BOOKING.value
        booked = sum(self.confusion[gold][booking] for gold in self.confusion)
        return {
            "split": self.split,
            "messages": self.total,
            "accuracy": (sum(self.confusion[r][r] for r in TRIAGE_PRECEDENCE) / self.total) if self.total else None,
            "routes": self._prf(self.confusion),
            "languages": {lang: {"messages": sum(n for row in self.by_lang[lang].values() for n in row.values()),
                                 "routes": self._prf(self.by_lang[lang])} for lang in langs},
            "safety_recall": {lang: (escalated[lang] / adverse[lang]) if adverse[lang] else None for lang in langs},
            "adverse_to_booking": sum(self.confusion[SAFETY][q] for q in BOOKING_QUEUES),
            "benign_escalated": benign_escalated,
            "benign_escalated_share": benign_escalated / benign if benign else None,
            "clinical_to_human": clinical_human / clinical if clinical else None,
            "human_review_to_booking": human_booked,
            "human_review_to_booking_share": human_booked / human if human else None,
            "booking_precision": self.confusion[booking][booking] / booked if booked else None,
            "confusion": {gold: {p: self.confusion[gold][p] for p in TRIAGE_PRECEDENCE if self.confusion[gold][p]}
                          for gold in TRIAGE_PRECEDENCE if self.confusion[gold]},
        }


def evaluate(rows: list[dict], split: str = "", *, keep_misses: bool = False) -> Report:
    report = Report(split=split)
    for row in rows:
        result = triage(row["text"])
        report.total += 1
        report.confusion[row["route"]][result.route] += 1
        report.by_lang[row["lang"]][row["route"]][result.route] += 1
        if keep_misses and result.route != row["route"]:
            report.misses.append((row, result.route, result.reasons))
    return report
