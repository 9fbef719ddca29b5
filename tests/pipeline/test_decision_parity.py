"""``vigil test`` decides like the daemon: both fold reports through the one decision fold, so reports read
out of publication order end in the same states. Real pipeline on SQLite against the ``vigil test``
command over the same rules and the same reports in the same arrival order."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from service.cli.authoring_commands import test as vigil_test
from service.events.catalog import EntryObserved
from service.extraction.extractor import Extractor
from service.pipeline.wiring import open_pipeline_store
from service.rules.loader import load_rules
from service.state import tracker as item_tracker
from service.state.report import current_states
from service.store.consumer import consume_all
from service.store.hashing import timestamp_text
from service.store.records import NewEvent

RULES = """
items:
  recall:
    title: Oat yoghurt recall
    initial: none
    transitions: {none: [announced], announced: [expanded, ended], expanded: [ended]}
    states:
      announced: ["recall (was|has been) announced"]
      expanded: ["recall (was|has been) expanded"]
      ended: ["recall (was|has been) ended"]
  truce:
    title: Border truce
    initial: none
    confirm: {sources: 2, within: 36h}  # agreed only once two outlets say so
    states:
      agreed: ["truce (was|has been) agreed"]
      collapsed: ["truce (has )?collapsed"]
"""
DAY = datetime(2025, 6, 7, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Report:
    """One outlet's entry, published ``hours`` after DAY."""

    source: str
    hours: int
    text: str


ANNOUNCED = Report("wire", 0, "The recall was announced this morning.")
EXPANDED = Report("courier", 2, "The recall was expanded to two more brands.")
REPORTS = (
    ANNOUNCED,
    EXPANDED,
    Report("agency", 30, "The recall was ended after tests came back clean."),
    Report("wire", 1, "A truce was agreed for the border towns."),
    Report("courier", 31, "A truce was agreed for the border towns."),
    Report("wire", 11, "The truce has collapsed."),
    Report("agency", 13, "The truce has collapsed."),
    Report("agency", 41, "A truce was agreed for the border towns."),
)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty pipeline store, copied for each run (migrating each time would be slow)."""
    path = tmp_path_factory.mktemp("template") / "vigil.db"
    open_pipeline_store(str(path)).close()
    return path


def _daemon_states(template: Path, folder: Path, arrivals: Sequence[Report]) -> dict[str, str]:
    """Each item's state after the daemon's item tracker read ``arrivals``, recorded in that order."""
    rules = folder / "rules.yaml"
    rules.write_text(RULES)
    database = folder / "vigil.db"
    shutil.copy(template, database)
    store = open_pipeline_store(str(database), migrate=False)
    loaded = load_rules([rules], env={})
    try:
        for number, report in enumerate(arrivals):
            entry = EntryObserved(
                source=report.source, guid=f"g{number}", link=f"https://{report.source}.test/{number}", title="",
                text=report.text, published=timestamp_text(DAY + timedelta(hours=report.hours)),
                content_hash=f"h{number}", published_offset_minutes=0,
            )
            store.append(f"source:{report.source}", [NewEvent(EntryObserved.TYPE, entry.to_data(), {})])
        # What Pipeline.process runs for items (without the HTTP client a Pipeline opens, 0.1 s each).
        tracker = item_tracker.ItemTracker(loaded.rules, Extractor(loaded.rules))
        consume_all(store, item_tracker.CONSUMER, item_tracker.TYPES, tracker.handle)
        return {state.item: state.value for state in current_states(store, loaded.rules)}
    finally:
        store.close()


def _vigil_test(folder: Path, arrivals: Sequence[Report], expect: dict[str, str]) -> tuple[int, str]:
    """``vigil test`` on one case: ``arrivals`` as its entries in that order, expecting ``expect``."""
    (folder / "rules.yaml").write_text(RULES)
    entries = [{"source": r.source, "published": timestamp_text(DAY + timedelta(hours=r.hours)), "text": r.text}
               for r in arrivals]
    case = {"rules": ["rules.yaml"], "cases": [{"name": "arrival order", "entries": entries, "expect": expect}]}
    (folder / "order.test.yaml").write_text(json.dumps(case))  # JSON is YAML
    result = CliRunner().invoke(vigil_test, [str(folder / "order.test.yaml")])
    return result.exit_code, result.output


def test_a_recall_expanded_read_before_it_was_announced_ends_expanded_in_both(migrated: Path, tmp_path: Path) -> None:
    arrivals = [EXPANDED, ANNOUNCED]  # the 11:00 report is read first, the 9:00 one after it
    daemon = _daemon_states(migrated, tmp_path, arrivals)
    assert daemon["recall"] == "expanded"
    exit_code, output = _vigil_test(tmp_path, arrivals, {"recall": "expanded"})
    assert (exit_code, output.strip()) == (0, "1 passed, 0 failed")


@settings(max_examples=25, deadline=None)
@given(arrivals=st.permutations(REPORTS))
def test_vigil_test_and_the_daemon_agree_whatever_order_reports_arrive_in(
    migrated: Path, arrivals: list[Report]
) -> None:
    with tempfile.TemporaryDirectory() as raw:
        folder = Path(raw)
        daemon = _daemon_states(migrated, folder, arrivals)
        exit_code, output = _vigil_test(folder, arrivals, daemon)
    assert exit_code == 0, output
