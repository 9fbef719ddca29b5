"""``vigil check`` and the JSON Schema know words patterns: errors at file:line:col, the mapping in the schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from service.rules.schema import json_schema

BAD = """\
items:
  a:
    title: A
    states:
      x:
        - words: vote ... (offer|bid
        - {words: "strike ... call+ off"}
        - 'words: strike ... !'
        - words: [vote, offer]
        - words: strike ... ... off
  d:
    title: D
    kind: date
    set:
      - words: vote ... offer
"""


def test_check_reports_each_bad_words_pattern_at_its_column(tmp_path: Path) -> None:
    rules = tmp_path / "bad.yaml"
    rules.write_text(BAD)
    checked = subprocess.run([sys.executable, "-m", "service.cli", "check", str(rules)],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 1
    assert checked.stderr.splitlines() == [
        f"{rules}:6:27: '(' is not closed by ')'",
        f"{rules}:7:35: '+' is not part of a word: a words pattern takes words, '...', '|', '( )', '[ ]', '!', "
        "quotes and {date} (write a regex pattern for anything else)",
        f"{rules}:8:30: '!' follows a word and names what must not come next: "
        "ceasefire !talks|negotiations, exchange !(of fire|of views)",
        f"{rules}:10:29: nothing between two '...' gaps (or at an end): write a word there",
        f"{rules}:15:16: a date 'set' pattern needs exactly one {{date}} placeholder",
    ]


def test_a_pattern_mapping_with_another_key_is_refused_in_one_line(tmp_path: Path) -> None:
    rules = tmp_path / "bad.yaml"
    rules.write_text("items:\n  a:\n    title: A\n    states:\n      x: [{wrds: vote}]\n")
    checked = subprocess.run([sys.executable, "-m", "service.cli", "check", str(rules)],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 1
    assert "a pattern is a regex (text) or a mapping with the one key 'words' (not 'wrds')" in checked.stderr


def test_the_schema_offers_words_patterns_beside_regexes() -> None:
    schema = json_schema()
    item = schema["$defs"]["ItemSpec"]["properties"]
    for field in ("set", "unset"):
        assert item[field]["items"]["anyOf"] == [{"type": "string"}, {"$ref": "#/$defs/WordsPattern"}]
    assert item["states"]["additionalProperties"]["items"]["anyOf"][1] == {"$ref": "#/$defs/WordsPattern"}
    words = schema["$defs"]["WordsPattern"]
    assert words["required"] == ["words"] and words["additionalProperties"] is False
    assert "'...' a gap" in words["properties"]["words"]["description"]
