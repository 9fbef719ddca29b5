"""The shipped rules over a corpus of sentences written for Vigil: no miss and no false finding.

Precision and recall are printed to the terminal (even without ``-s``) and in the failure message.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from service.extraction.extractor import Extractor
from service.extraction.types import EntryText
from service.rules.loader import load_rules

ROOT = Path(__file__).resolve().parents[2]
CORPUS: dict[str, Any] = YAML(typ="safe").load((Path(__file__).parent / "corpus.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(load_rules([ROOT / "rules" / "istanbul-talks.yaml"]).rules)


def _moment(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _findings(extractor: Extractor, case: dict[str, Any]) -> set[tuple[str, str]]:
    published = _moment(case.get("published", CORPUS["published"]))
    entry = EntryText(source="corpus", guid="c", link="", title=case.get("title", ""), text=case["text"],
                      published=published)
    return {(f.item, f.value) for f in extractor.extract(entry)}


def test_the_corpus_is_large_enough_and_covers_every_case() -> None:
    whys = {case["why"] for case in CORPUS["cases"]}
    assert len(CORPUS["cases"]) >= 80
    assert {"negation", "hedge", "scope", "date", "no-date", "unset", "several", "pseudo-negation", "fact",
            "condition", "reported", "temporal", "scope-of-negation", "no-longer"} <= whys
    texts = [case["text"] for case in CORPUS["cases"]]
    assert len(texts) == len(set(texts)), "a sentence appears twice"


def test_shipped_rules_make_no_false_finding_and_miss_nothing(
    extractor: Extractor, capsys: pytest.CaptureFixture[str]
) -> None:
    true_positive = false_positive = false_negative = 0
    wrong: list[str] = []
    for case in CORPUS["cases"]:
        expected = {(item, str(value)) for item, value in case["expect"].items()}
        found = _findings(extractor, case)
        true_positive += len(found & expected)
        false_positive += len(found - expected)
        false_negative += len(expected - found)
        if found != expected:
            wrong.append(f"[{case['why']}] {case['text']!r}: expected {sorted(expected)}, found {sorted(found)}")
    precision = true_positive / ((true_positive + false_positive) or 1)
    recall = true_positive / ((true_positive + false_negative) or 1)
    summary = (f"corpus of {len(CORPUS['cases'])} entries: precision {precision:.3f}, recall {recall:.3f} "
               f"({true_positive} found, {false_positive} false, {false_negative} missed)")
    with capsys.disabled():
        print(f"\n{summary}")
    assert not wrong, summary + "\n" + "\n".join(wrong)
