"""Rule test files (``*.test.yaml``), like promtool's rule tests: texts in, expected item states out.

```yaml
rules: [istanbul-talks.yaml]          # relative to this file; default: the rule files beside it
cases:
  - name: talks end without a ceasefire
    published: 2025-06-02T14:00:00Z   # default for the case's entries
    text: The talks ended without a ceasefire agreement.
    expect: {ceasefire: none}
  - name: the date is announced a few days later
    entries:                          # several entries, applied in order
      - {published: 2025-06-02T10:00:00Z, text: "..."}
      - {published: 2025-06-07T10:00:00Z, source: courier, text: "..."}
    expect: {exchange-date: 2025-06-09}
```
Every case starts from the items' initial states and runs the same extraction and decision fold as the
daemon (``service.state.fold``), so reports given out of publication order end as they would there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from service.extraction.extractor import Extractor
from service.extraction.types import EntryText, SentenceReport
from service.rules.loader import LoadedRules, is_rule_test_file, load_rules
from service.rules.models import RuleSet
from service.sources.language import detect_language
from service.state.decision import Evidence, initial_state
from service.state.fold import fold


class RuleTestError(ValueError):
    """A test file that cannot be run; the message names the file."""


@dataclass(frozen=True)
class CaseResult:
    """One case's outcome: mismatches as (item, expected, got), and the explain reports of its entries."""

    file: str
    name: str
    mismatches: list[tuple[str, str, str]]
    reports: list[SentenceReport] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every expected value matched."""
        return not self.mismatches


def test_files(paths: list[str]) -> list[Path]:
    """The ``*.test.yaml`` files at ``paths`` (files, or folders searched recursively)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_rule_test_file(p)))
        elif path.exists():
            found.append(path)
        else:
            raise RuleTestError(f"{raw}: no such file or folder")
    return found


def run_test_file(path: Path) -> list[CaseResult]:
    """Run every case of one test file."""
    document = read_test_file(path)
    rules_paths = [str(path.parent / name) for name in document.get("rules", [])] or _rules_beside(path)
    loaded: LoadedRules = load_rules(rules_paths)
    extractor = Extractor(loaded.rules)
    return [_run_case(str(path), number, case, loaded.rules, extractor)
            for number, case in enumerate(document["cases"], 1)]


def read_test_file(path: Path) -> dict[str, Any]:
    """A test file's document, with its ``cases:`` list checked to be there."""
    document = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list):
        raise RuleTestError(f"{path}: a rule test file needs a 'cases:' list")
    return document


def case_entries(number: int, case: dict[str, Any]) -> list[EntryText]:
    """The entries of the ``number``-th case, as extraction reads them."""
    published = _when(case.get("published"), None) if case.get("published") else None
    raw_entries = case.get("entries") or [{"text": case.get("text", ""), "title": case.get("title", "")}]
    return [EntryText(source=str(raw.get("source", "test")), guid=f"{number}-{index}",
                      link=f"test://{number}/{index}", title=str(raw.get("title", "")),
                      text=str(raw.get("text", "")), published=_when(raw.get("published"), published),
                      # an entry's own "language:", else the case's, else detected as a feed's would be
                      language=detect_language(str(raw.get("title", "")), str(raw.get("text", "")),
                                               raw.get("language") or case.get("language")))
            for index, raw in enumerate(raw_entries)]


def _rules_beside(path: Path) -> list[str]:
    return [str(p) for p in sorted(path.parent.glob("*.y*ml")) if not is_rule_test_file(p)]


def _when(value: Any, default: datetime | None) -> datetime:
    if value is None:
        if default is None:
            return datetime.now(UTC)
        return default
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if isinstance(value, date) and not isinstance(value, datetime):
        moment = datetime(value.year, value.month, value.day, 12, tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _run_case(file: str, number: int, case: dict[str, Any], rules: RuleSet, extractor: Extractor) -> CaseResult:
    name = str(case.get("name", f"case {number}"))
    states = {item: initial_state(item, spec) for item, spec in rules.items.items()}
    reports: list[SentenceReport] = []
    for index, entry in enumerate(case_entries(number, case)):
        reports.extend(extractor.explain(entry))
        for finding_number, finding in enumerate(extractor.extract(entry)):
            evidence = Evidence(finding.item, finding.value, entry.source, entry.published,
                                f"{number}-{index}-{finding_number}")
            states[finding.item] = fold(rules.items[finding.item], states[finding.item], evidence).state
    mismatches = []
    for item, expected in (case.get("expect") or {}).items():
        want = expected.isoformat() if isinstance(expected, date) else str(expected)
        got = states[item].value if item in states else f"<unknown item {item}>"
        if got != want:
            mismatches.append((str(item), want, got))
    return CaseResult(file, name, mismatches, reports)
