"""Rule files written into a temporary directory that is also the working directory, so that error
lines read exactly as ``vigil check`` prints them (``ceasefire.yaml:4:5: ...``)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from service.rules.errors import RuleErrors
from service.rules.loader import LoadedRules, load_rules


@dataclass
class RuleDir:
    """A directory of rule files under test."""

    root: Path

    def write(self, name: str, text: str) -> Path:
        """Write ``text`` (dedented) to ``name`` under the directory."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def load(self, *paths: str, env: Mapping[str, str] | None = None) -> LoadedRules:
        """Load ``paths`` (default: the whole directory) with ``env`` (default: empty)."""
        return load_rules(list(paths) or ["."], env={} if env is None else env)

    def errors(self, *paths: str, env: Mapping[str, str] | None = None) -> list[str]:
        """The error lines loading reports; fails the test if loading succeeds."""
        with pytest.raises(RuleErrors) as failure:
            self.load(*paths, env=env)
        return [str(error) for error in failure.value.errors]


@pytest.fixture
def rule_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RuleDir:
    """An empty directory, made the working directory, to write rule files into."""
    monkeypatch.chdir(tmp_path)
    return RuleDir(tmp_path)


#: The issue's example rule file: a status item, a date item, an alert and a subscriber.
EXAMPLE = r"""
sources:
  kyiv-independent: {url: "https://example.org/feed.xml", every: 10m}
items:
  ceasefire:
    title: Ukraine–Russia ceasefire
    scope: [[ukraine, ukrainian, kyiv], [russia, russian, moscow, kremlin]]
    initial: none
    states:
      agreed: ['agreed? (to|on) (a|an) (\w+ )?(ceasefire|truce)']
      collapsed: ['(ceasefire|truce) (collapsed|broke down)']
  exchange-date:
    title: Date of the next prisoner exchange
    kind: date
    set: ['(exchange|swap) (.* )?(will|is scheduled to) (begin|take place) on {date}']
    unset: ['date of the (exchange|swap) has not (yet )?been (announced|set)']
alerts:
  - name: ceasefire-changed
    when: {item: ceasefire, to: agreed}
    notify: [analysts]
subscribers:
  analysts: {urls: ["${ANALYSTS_URL}"]}
""".lstrip("\n")

EXAMPLE_ENV = {"ANALYSTS_URL": "json://localhost/hook?token=s3cret"}
