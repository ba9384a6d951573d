"""Score the triage engine on the labelled corpus (tests/triage_corpus/).

    python manage.py triage_eval --split dev        # recall/precision per route and language, confusion table
    python manage.py triage_eval --split heldout    # the same figures; individual messages are never shown
    python manage.py triage_eval --split dev --misses   # also list each dev message routed wrongly

Uses the engine's default catalog and no database.  ``--format json`` prints the figures as one JSON object.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medspa.routes import TRIAGE_PRECEDENCE
from medspa.triage.evaluation import CORPUS_DIR, SPLITS, CorpusError, evaluate, load

SHORT = {"safety_escalation": "safety", "provider_review": "provider", "staff_review": "staff",
         "member_support": "member", "bundle_help": "bundle", "event_follow_up": "event", "rebooking": "rebook",
         "booking": "booking"}


def pct(value) -> str:
    return "   -  " if value is None else f"{value * 100:5.1f}%"


class Command(BaseCommand):
    help = "Recall and precision per route and language, and a confusion table, on the triage corpus."

    def add_arguments(self, parser):
        parser.add_argument("--split", choices=sorted(SPLITS), default="dev")
        parser.add_argument("--corpus-dir", default=str(CORPUS_DIR))
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--misses", action="store_true",
                            help="List each message routed wrongly (dev split only: held-out stays unseen).")

    def handle(self, *args, **options):
        split = options["split"]
        if options["misses"] and split != "dev":
            raise CommandError("--misses is only for the dev split; held-out messages are scored in aggregate.")
        try:
            rows = load(split, Path(options["corpus_dir"]))
        except CorpusError as exc:
            raise CommandError(str(exc)) from exc
        report = evaluate(rows, split, keep_misses=options["misses"])
        figures = report.figures()
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        self._text(figures)
        for row, predicted, reasons in report.misses:
            self.stdout.write(f"MISS {row['id']} [{row['lang']}/{row.get('kind', '')}] gold={row['route']} "
                              f"got={predicted} reasons={reasons}: {row['text']}")

    def _text(self, f: dict) -> None:
        out = self.stdout.write
        out(f"Split: {f['split']}  messages: {f['messages']}  accuracy: {pct(f['accuracy'])}")
        out("")
        langs = list(f["languages"])
        header = f"{'route':<18}{'n':>5}{'recall':>9}{'prec.':>9}" + "".join(
            f"{lang + ' n':>7}{lang + ' rec.':>9}{lang + ' prec.':>10}" for lang in langs)
        out(header)
        for route in TRIAGE_PRECEDENCE:
            r = f["routes"][route]
            line = f"{route:<18}{r['support']:>5}{pct(r['recall']):>9}{pct(r['precision']):>9}"
            for lang in langs:
                lr = f["languages"][lang]["routes"][route]
                line += f"{lr['support']:>7}{pct(lr['recall']):>9}{pct(lr['precision']):>10}"
            out(line)
        out("")
        out("Gates: " + "  ".join(f"safety recall {lang} {pct(v)}" for lang, v in f["safety_recall"].items())
            + f"  adverse->booking/rebooking {f['adverse_to_booking']}"
            + f"  benign escalated {f['benign_escalated']} ({pct(f['benign_escalated_share']).strip()})"
            + f"  clinical to a human {pct(f['clinical_to_human'])}"
            + f"  staff/provider->booking/rebooking {f['human_review_to_booking']}"
            + f" ({pct(f['human_review_to_booking_share']).strip()})"
            + f"  booking precision {pct(f['booking_precision'])}")
        out("")
        out("Confusion (rows: labelled route, columns: engine's route)")
        out(f"{'':<10}" + "".join(f"{SHORT[r]:>9}" for r in TRIAGE_PRECEDENCE))
        for gold in TRIAGE_PRECEDENCE:
            row = f["confusion"].get(gold, {})
            out(f"{SHORT[gold]:<10}" + "".join(f"{row.get(p, 0):>9}" for p in TRIAGE_PRECEDENCE))
