"""Factuality on real news language: Vigil's guards against a public benchmark, with two baselines.

A script, not a test: `.venv/bin/python -m tests.bench.factuality_bench [--split train,dev]`.

The data (UW factuality, MEANTIME; see its README) lives beside the project in
``../shared/eval/external`` and never inside it. Each row is one event word in its sentence with a
factuality score; ``factual_positive`` (score >= 2.5) is the gold label.

Mapping a row to Vigil: one status item per trigger word, whose one pattern is that word (no scope);
the sentence is an entry's text; the row counts as *predicted factual* when the extractor (the code
path of ``vigil explain`` and the tracker) accepts the match as evidence. When the word occurs more
than once in the sentence, the pattern gets a look-behind naming the earlier occurrences, so the
occurrence the row is about is the one judged (the look-behind is no pattern word: it asks for no cue).
A match the background check refuses ("last year", "years ago") counts
as factual: that guard judges whether a fact is news, not whether it is one (the table lists how many it
refused). A row whose word the sentence splitter puts in a sentence where the pattern finds no occurrence
counts as not factual ("unmatched" in the table).

Limits: a one-word pattern is judged at the *after-predicate* checks from the word itself, where a rule
author's phrase ("truce (was|has been) agreed") would include its auxiliary; and the *time-clause* check
reads the tense from the matched words, so a bare past participle ("signed") counts as past while a rule's
"has been signed" would not. The publication year is unknown; entries are dated 1 January of the year after
the latest year the sentence names (or 2001 for UW, 2011 for MEANTIME when it names none), so the background
check only fires on relative phrases ("last year").

The NegEx-style cue window is the one the data's README defines: non-factual if a negation or hedge cue
occurs among the five tokens before the trigger, the window stopping at a comma or a terminator.
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import regex

from service.extraction.extractor import Extractor
from service.extraction.types import EntryText
from service.rules.models import RuleSet

#: The repository's root: the benchmark lives beside it (``<root>/../shared``), never inside it.
ROOT = Path(__file__).resolve().parents[2]
FILES = {"uw": "uw_factuality.tsv", "meantime": "meantime_factuality.tsv"}


@dataclass(frozen=True)
class Row:
    """One event of the benchmark."""

    corpus: str
    split: str
    sent_id: str
    trigger: str
    start: int
    end: int
    factual: bool
    confident: bool
    sentence: str


@dataclass(frozen=True)
class Judged:
    """Vigil's call on one row: factual or not, and the guard and cue that refused it."""

    row: Row
    factual: bool
    guard: str  # "" when accepted; "unmatched" when the pattern found no occurrence
    cue: str


def data_dir() -> Path:
    """``../shared/eval/external`` from the repository's root (in CI ``<tmp>/main`` beside ``<tmp>/shared``);
    a git worktree one level deeper (``<dir>/wt/<name>``) finds it one level further up."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "eval" / "external").is_dir():
            return base / "shared" / "eval" / "external"
    return ROOT.parent / "shared" / "eval" / "external"


def load_rows(data: Path | None = None, corpora: Iterable[str] = FILES) -> list[Row]:
    """Every row of the named corpora. Raises FileNotFoundError when the data is missing."""
    data = data_dir() if data is None else data
    rows: list[Row] = []
    for corpus in corpora:
        with (data / FILES[corpus]).open(encoding="utf-8", newline="") as handle:
            for record in csv.DictReader(handle, delimiter="\t"):
                rows.append(Row(record["corpus"], record["split"], record["sent_id"], record["trigger"],
                                int(record["char_start"]), int(record["char_end"]),
                                record["factual_positive"] == "1", record["confident"] == "1",
                                record["sentence"]))
    return rows


def _occurrence(row: Row) -> int:
    """How many times the trigger occurs as a word before the row's own occurrence."""
    word = regex.compile(rf"(?<!\w){regex.escape(row.trigger)}(?!\w)", regex.IGNORECASE)
    return sum(1 for m in word.finditer(row.sentence) if m.start() < row.start)


def _pattern(trigger: str, earlier: int) -> str:
    escaped = regex.escape(trigger.lower())
    if not earlier:
        return escaped
    # Written out, not repeated: the rule loader refuses a repeated group that holds a repeat.
    return "(?<=" + "".join(rf"\b{escaped}\b.*?" for _ in range(earlier)) + ")" + escaped


def _item(trigger: str, earlier: int) -> str:
    return f"t{earlier}-{trigger.lower()}"


def _published(row: Row) -> datetime:
    years = [int(y) for y in re.findall(r"\b(19\d\d|20\d\d)\b", row.sentence)]
    default = 2001 if row.corpus == "uw" else 2011
    return datetime(min([default, *years]), 1, 1, tzinfo=UTC)


def judge_rows(rows: Sequence[Row]) -> tuple[list[Judged], float]:
    """Vigil's call on every row, and the rows judged per second (rule compilation not counted).

    One extractor holds an item per (trigger, occurrence); each sentence is explained once and every
    row of it reads its own item's verdict.
    """
    keys = {(row.trigger.lower(), _occurrence(row)) for row in rows}
    rules = RuleSet.model_validate({"items": {
        _item(word, earlier): {"title": word, "states": {"factual": [_pattern(word, earlier)]}}
        for word, earlier in sorted(keys)}})
    extractor = Extractor(rules)
    by_sentence: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        by_sentence[(row.sent_id, row.sentence)].append(row)
    judged: list[Judged] = []
    started = time.perf_counter()
    for (sent_id, sentence), members in by_sentence.items():
        entry = EntryText("bench", sent_id, "", "", sentence, _published(members[0]))
        verdicts: dict[str, tuple[bool, str, str]] = {}
        for report in extractor.explain(entry):
            for finding in report.findings:
                verdicts[finding.item] = (True, "", "")
            for veto in report.vetoes:
                # The background check judges age, not factuality: history is a fact, only not news.
                verdicts.setdefault(veto.item, (veto.guard == "background", veto.guard, veto.cue))
        for row in members:
            factual, guard, cue = verdicts.get(_item(row.trigger, _occurrence(row)), (False, "unmatched", ""))
            judged.append(Judged(row, factual, guard, cue))
    return judged, len(rows) / (time.perf_counter() - started)


# The cue window of the data's README.
_NEGATION_CUES = ("not", "n't", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "fail*",
                  "refuse*", "deny*", "reject*", "unable", "lack*", "cannot")
_HEDGE_CUES = ("may", "might", "could", "would", "should", "can", "possibly", "possible", "perhaps", "likely",
               "unlikely", "probably", "maybe", "reportedly", "allegedly", "apparently", "expect*", "plan*",
               "propose*", "intend*", "want*", "hope*", "seek", "sought", "try", "tried", "attempt*",
               "consider*", "threaten*", "if", "whether", "unless")
_STOPS = frozenset({",", ";", ":", "but", "however", "although", "though", "because", "since", "while", "which",
                    "who", "that"})
_TOKEN = re.compile(r"n't|\w+?(?=n't\b)|\w+|[^\w\s]")
_DENIES = frozenset({"denies", "denied"})


def _is_cue(token: str) -> bool:
    token = token.lower()
    for cue in (*_NEGATION_CUES, *_HEDGE_CUES):
        if token == cue or (cue.endswith("*") and token.startswith(cue[:-1])) or (cue == "deny*" and token in _DENIES):
            return True
    return False


def cue_window(row: Row) -> bool:
    """The NegEx-style baseline: factual unless a cue is among the five tokens before the trigger."""
    tokens = [m.group(0) for m in _TOKEN.finditer(row.sentence[:row.start])][-5:]
    for token in reversed(tokens):
        if token.lower() in _STOPS:
            return True
        if _is_cue(token):
            return False
    return True


@dataclass(frozen=True)
class Scores:
    """Precision and recall of "factual", accuracy, and the non-factual class's P/R/F1."""

    rows: int
    precision: float
    recall: float
    accuracy: float
    nf_precision: float
    nf_recall: float
    nf_f1: float


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def score(pairs: Sequence[tuple[bool, bool]]) -> Scores:
    """Scores of (gold, predicted) pairs, factual being the positive class."""
    tp = sum(1 for gold, pred in pairs if gold and pred)
    fp = sum(1 for gold, pred in pairs if not gold and pred)
    fn = sum(1 for gold, pred in pairs if gold and not pred)
    tn = len(pairs) - tp - fp - fn
    nf_p, nf_r = _ratio(tn, tn + fn), _ratio(tn, tn + fp)
    return Scores(len(pairs), _ratio(tp, tp + fp), _ratio(tp, tp + fn), _ratio(tp + tn, len(pairs)),
                  nf_p, nf_r, _ratio(2 * nf_p * nf_r, nf_p + nf_r))


def _sets(judged: Sequence[Judged]) -> dict[str, list[Judged]]:
    sets: dict[str, list[Judged]] = defaultdict(list)
    for j in judged:
        for split in (j.row.split, "all"):
            sets[f"{j.row.corpus} {split}"].append(j)
            if j.row.confident:
                sets[f"{j.row.corpus} {split} confident"].append(j)
    return dict(sorted(sets.items()))


def _line(name: str, label: str, s: Scores) -> str:
    return (f"{name:<24} {label:<10} {s.rows:>6} {s.precision:6.3f} {s.recall:6.3f} {s.accuracy:6.3f}"
            f"   {s.nf_precision:6.3f} {s.nf_recall:6.3f} {s.nf_f1:6.3f}")


def report(judged: Sequence[Judged], rate: float) -> list[str]:
    """The table: per set and split, Vigil, the cue window and all-factual; then vetoes of real facts by guard."""
    lines = [f"{'set':<24} {'judge':<10} {'rows':>6} {'P':>6} {'R':>6} {'acc':>6}   "
             f"{'nf P':>6} {'nf R':>6} {'nf F1':>6}"]
    for name, members in _sets(judged).items():
        lines.append(_line(name, "vigil", score([(j.row.factual, j.factual) for j in members])))
        lines.append(_line(name, "cue-win", score([(j.row.factual, cue_window(j.row)) for j in members])))
        lines.append(_line(name, "all-fact", score([(j.row.factual, True) for j in members])))
    lines.append(f"throughput: {rate:,.0f} rows/s through Extractor.explain")
    lines.append("really-factual rows vetoed, by guard (all rows / confident rows; background counted as factual):")
    for corpus in sorted({j.row.corpus for j in judged}):
        vetoed = Counter(j.guard for j in judged if j.row.corpus == corpus and j.row.factual and j.guard)
        confident = Counter(j.guard for j in judged
                            if j.row.corpus == corpus and j.row.factual and j.row.confident and j.guard)
        lines.append(f"  {corpus}: " + ", ".join(f"{g} {n}/{confident[g]}" for g, n in vetoed.most_common()))
    return lines


def main() -> None:
    """Print the table for the chosen splits (default: all)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="train,dev,test", help="comma-separated splits to judge")
    parser.add_argument("--errors", type=int, default=0, help="print this many sample errors per kind")
    args = parser.parse_args()
    splits = set(args.split.split(","))
    rows = [row for row in load_rows() if row.split in splits]
    judged, rate = judge_rows(rows)
    print("\n".join(report(judged, rate)))
    if args.errors:
        import random

        rng = random.Random(1)
        wrong = [j for j in judged if j.row.confident and j.factual != j.row.factual]
        for j in rng.sample(wrong, min(args.errors, len(wrong))):
            kind = "ASSERTED" if j.factual else f"VETOED {j.guard} '{j.cue}'"
            print(f"{kind:<28} [{j.row.trigger}] {j.row.sentence}")


if __name__ == "__main__":
    main()
