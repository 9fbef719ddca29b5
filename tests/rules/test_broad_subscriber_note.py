"""`vigil check` notes (exit 0) a subscriber without filters when the rules hold items of several files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ITEM = """\
items:
  {name}:
    title: {name}
    states: {{agreed: ['agreed a truce']}}
"""


def _check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", "check", str(folder)],
                          capture_output=True, text=True, timeout=120)


def test_an_unfiltered_subscriber_among_several_files_gets_a_one_line_note(tmp_path: Path) -> None:
    (tmp_path / "gaza.yaml").write_text(ITEM.format(name="gaza-truce"))
    (tmp_path / "ukraine.yaml").write_text(
        ITEM.format(name="ukraine-truce")
        + "subscribers:\n  families: {urls: ['json://127.0.0.1:9/f']}\n  desk: {urls: ['json://127.0.0.1:9/d'], "
        "items: [ukraine-truce]}\n"
    )
    checked = _check(tmp_path)
    assert checked.returncode == 0, checked.stderr
    notes = [line for line in checked.stdout.splitlines() if "note:" in line]
    assert notes == [
        f"{tmp_path / 'ukraine.yaml'}:6: note: subscriber 'families' has no items: or tags: filter, so it hears "
        "alerts about the items of all 2 rule files (add items: or tags: to narrow it)"
    ]


def test_one_file_needs_no_note(tmp_path: Path) -> None:
    (tmp_path / "ukraine.yaml").write_text(
        ITEM.format(name="ukraine-truce") + "subscribers:\n  families: {urls: ['json://127.0.0.1:9/f']}\n"
    )
    checked = _check(tmp_path)
    assert checked.returncode == 0 and "note:" not in checked.stdout
