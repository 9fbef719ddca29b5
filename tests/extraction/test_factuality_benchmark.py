"""Regression over a fixed sample of the public factuality benchmark (see tests/bench/factuality_bench.py).

The data lives beside the repository in ``../shared/eval/external`` and never inside it; in CI it must be
there (the test fails rather than skips when ``CI=true``).
"""

from __future__ import annotations

import os
import random
import re

import pytest

from tests.bench.factuality_bench import ROOT, Judged, Row, cue_window, data_dir, judge_rows, load_rows, score

#: What the guards reached on this sample (P 0.941, R 0.938), less a small margin for deliberate trade-offs.
PRECISION_FLOOR = 0.92
RECALL_FLOOR = 0.91
SAMPLE = 500


@pytest.fixture(scope="module")
def judged() -> list[Judged]:
    """The sample, judged once for the module."""
    return judge_rows(_sample())[0]


def _require_data() -> None:
    """Skip without the benchmark's data, or fail under CI=true (where it must be)."""
    if not (data_dir() / "uw_factuality.tsv").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the factuality benchmark is missing from {data_dir()}")
        pytest.skip(f"the factuality benchmark is not at {data_dir()}")


def _sample() -> list[Row]:
    _require_data()
    rows = [row for row in load_rows() if row.split == "dev" and row.confident]
    return random.Random(15).sample(rows, SAMPLE)


def test_guards_keep_their_precision_and_recall_on_a_fixed_dev_sample(judged: list[Judged]) -> None:
    scores = score([(j.row.factual, j.factual) for j in judged])
    assert scores.precision >= PRECISION_FLOOR, scores
    assert scores.recall >= RECALL_FLOOR, scores


def test_guards_beat_the_cue_window_on_the_same_sample(judged: list[Judged]) -> None:
    ours = score([(j.row.factual, j.factual) for j in judged])
    window = score([(j.row.factual, cue_window(j.row)) for j in judged])
    assert ours.precision > window.precision, (ours, window)
    assert ours.nf_f1 > window.nf_f1, (ours, window)


#: A run of this many words shared with a benchmark sentence is a copy, not a common phrase.
SHARED_WORDS = 8
_WORDS = re.compile(r"[a-z0-9']+")


def test_no_benchmark_sentence_is_copied_into_the_project() -> None:
    """The benchmark is for measurement only (its README): no sentence of it may go into the code, the docs, the
    tests or the shipped rules. Docstrings once quoted two of them."""
    _require_data()
    shingles = set()
    for row in load_rows():
        words = _WORDS.findall(row.sentence.lower())
        shingles.update(" ".join(words[i:i + SHARED_WORDS]) for i in range(len(words) - SHARED_WORDS + 1))
    copied = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if not path.is_file() or parts[0].startswith(".") or path.suffix not in {".py", ".md", ".yaml", ".yml",
                                                                                 ".html", ".txt", ".toml"}:
            continue
        words = _WORDS.findall(path.read_text(encoding="utf-8", errors="replace").lower())
        found = {" ".join(words[i:i + SHARED_WORDS]) for i in range(len(words) - SHARED_WORDS + 1)} & shingles
        copied += [f"{path.relative_to(ROOT)}: {run}" for run in sorted(found)]
    assert copied == []
