"""Sentences of the rule tests that two states of one item both accept: ``vigil check``'s note about them.

One sentence that is evidence for two states of an item gives two changes, one after the other, in the
order the item declares its states ("agreed" then "in_effect", with one alert each). That is rarely what the
author meant; the item's own test cases are where it shows, so ``check`` reads them and says so.
"""

from __future__ import annotations

from pathlib import Path

from service.extraction.extractor import Extractor
from service.pipeline.rule_tests import RuleTestError, case_entries, read_test_file, test_files
from service.rules.loader import LoadedRules, is_rule_test_file


def overlap_notes(loaded: LoadedRules, paths: list[str]) -> list[str]:
    """A note for each status item with a sentence in the rule tests at ``paths`` that two of its states
    accept (the first such sentence per pair of states), at the item's line."""
    try:
        files = [path for path in test_files(paths) if is_rule_test_file(path)]
    except RuleTestError:
        return []
    for raw in paths:  # a rule file named alone brings its own tests: x.yaml -> x.test.yaml beside it
        beside = Path(raw).with_suffix(".test" + Path(raw).suffix)
        if Path(raw).is_file() and not is_rule_test_file(Path(raw)) and beside.is_file() and beside not in files:
            files.append(beside)
    extractor = Extractor(loaded.rules)
    notes: dict[tuple[str, str, str], str] = {}
    for path in files:
        try:
            cases = read_test_file(path)["cases"]
        except (RuleTestError, OSError, ValueError):
            continue  # vigil test reports a broken test file; check is about the rules
        for number, case in enumerate(cases, 1):
            if isinstance(case, dict):
                _collect(loaded, extractor, path, number, case, notes)
    return list(notes.values())


def _collect(loaded: LoadedRules, extractor: Extractor, path: Path, number: int, case: dict[str, object],
             notes: dict[tuple[str, str, str], str]) -> None:
    for entry in case_entries(number, case):  # type: ignore[arg-type]
        for report in extractor.explain(entry):
            values: dict[str, list[str]] = {}
            for finding in report.findings:
                values.setdefault(finding.item, [])
                if finding.value not in values[finding.item]:
                    values[finding.item].append(finding.value)
            for item, found in values.items():
                if len(found) < 2 or loaded.rules.items[item].kind != "status":
                    continue
                first, second = found[0], found[1]
                if (item, first, second) in notes:
                    continue
                at = loaded.source_map.where(("items", item))
                name = case.get("name", f"case {number}")
                notes[(item, first, second)] = (
                    f"{at.file}:{at.line}: note: item '{item}': states '{first}' and '{second}' both accept "
                    f"\"{report.sentence}\" ({path}, case '{name}'): one sentence gives two changes, in the "
                    f"order the states are declared ({first}, then {second})")
