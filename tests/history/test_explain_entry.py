"""``vigil explain --entry``: a recorded entry judged with the rules in force when it was read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from service.pipeline.config_recording import record_rules
from service.pipeline.wiring import open_pipeline_store
from service.rules.loader import load_rules
from service.store.records import NewEvent

ROOT = Path(__file__).resolve().parents[2]
RULES = """
items:
  ceasefire:
    title: Ceasefire
    states:
      agreed: ["ceasefire (was )?agreed"]
"""
LATER_RULES = """
items:
  ceasefire:
    title: Ceasefire
    states:
      agreed: ["truce signed"]
  other:
    title: Other
    states:
      done: ["ceasefire"]
"""
TEXT = "Officials said a ceasefire was agreed. Kyiv hoped a ceasefire was agreed."


def vigil(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env["VIGIL_DB"] = db
    return subprocess.run([sys.executable, "-m", "service.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def _store(tmp_path: Path, recorded: str | None) -> tuple[str, Path]:
    """A store holding the rules (``recorded``: a v1 event of that hash instead) and then one entry."""
    db = str(tmp_path / "log.db")
    first = tmp_path / "first.yaml"
    first.write_text(RULES, encoding="utf-8")
    store = open_pipeline_store(db)
    if recorded is None:
        record_rules(store, load_rules([first]))
    else:
        store.append("config", [NewEvent("RulesLoaded", {"rules_hash": recorded, "files": [], "items": [],
                                                         "alerts": [], "sources": []}, schema_version=1)])
    store.append("source:wire", [NewEvent("EntryObserved", {
        "source": "wire", "guid": "g-1", "link": "", "title": "", "text": TEXT,
        "published": "2025-06-07T11:00:00+00:00", "content_hash": "x", "published_offset_minutes": 0})])
    store.close()
    later = tmp_path / "later.yaml"
    later.write_text(LATER_RULES, encoding="utf-8")
    return db, later


def test_a_recorded_entry_is_judged_with_the_rules_of_its_time_with_guard_and_cue(tmp_path: Path) -> None:
    db, later = _store(tmp_path, None)

    result = vigil(db, "explain", "--entry", "g-1", "--rules", str(later))

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "judged with the rules recorded at position 1" in out
    assert "ACCEPTED  ceasefire -> agreed" in out  # the old pattern, not today's "truce signed"
    assert "VETOED    ceasefire -> agreed    by hedge 'hoped'" in out
    assert "other" not in out  # an item added later did not exist when the entry was read


def test_an_entry_is_found_by_its_log_position_and_one_item_can_be_asked_about(tmp_path: Path) -> None:
    db, later = _store(tmp_path, None)

    result = vigil(db, "explain", "--entry", "2", "--item", "ceasefire", "--matched-only", "--rules", str(later))

    assert result.returncode == 0, result.stderr
    assert "entry g-1 from wire (position 2)" in result.stdout
    assert result.stdout.count("ceasefire -> agreed") == 2


def test_an_old_log_without_the_rules_says_which_rules_judged_it(tmp_path: Path) -> None:
    db, later = _store(tmp_path, "0" * 64)

    result = vigil(db, "explain", "--entry", "g-1", "--rules", str(later))

    assert result.returncode == 0, result.stderr
    assert "were not kept in the log" in result.stdout and "judged with the current rules" in result.stdout


def test_an_unknown_entry_or_both_text_and_entry_is_one_line_and_exit_1(tmp_path: Path) -> None:
    db, later = _store(tmp_path, None)

    missing = vigil(db, "explain", "--entry", "nope", "--rules", str(later))
    both = vigil(db, "explain", "some text", "--entry", "g-1", "--rules", str(later))

    assert missing.returncode == 1 and "no recorded entry has the guid or position 'nope'" in missing.stderr
    assert both.returncode == 1 and "either TEXT or --entry" in both.stderr
