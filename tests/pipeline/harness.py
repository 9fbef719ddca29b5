"""Running Vigil as its users do, for the pipeline tests: rule files, feeds on loopback, daemon processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from service.demo.feeds import FeedItem, FeedServer, render_rss

RULES = """\
sources:
  wire: {{url: "{wire}", every: 1s}}
  courier: {{url: "{courier}", every: 1s}}
items:
  exchange:
    title: Prisoner exchange
    scope: [[ukraine, ukrainian, kyiv], [russia, russian, moscow]]
    initial: none
    states:
      agreed: ['agreed (to|on) (a|an) (new )?prisoner (exchange|swap)']
      completed: ['(exchange|swap) was completed']
  exchange-date:
    title: Date of the exchange
    kind: date
    scope: [[ukraine, ukrainian, kyiv], [russia, russian, moscow]]
    set: ['(exchange|swap) will take place on {{date}}']
    unset: ['date of the (exchange|swap) has not (yet )?been announced']
alerts:
  - name: exchange-news
    when: {{item: exchange}}
    notify: [ops]
  - name: date-news
    when: {{item: exchange-date}}
    notify: [ops]
subscribers:
  ops: {{urls: ["{hook}"]}}
"""

#: The timeline the pipeline tests share: (feed, guid, published, title, text), in steps.
STEPS: list[list[tuple[str, str, str, str, str]]] = [
    [
        (
            "wire",
            "w1",
            "2025-06-02T14:00:00+00:00",
            "Talks in Istanbul end",
            "Ukraine and Russia agreed to a new prisoner exchange on Monday. "
            "The date of the exchange has not yet been announced.",
        )
    ],
    [
        (
            "courier",
            "c1",
            "2025-06-07T10:00:00+00:00",
            "Exchange date set",
            "Officials in Kyiv and Moscow said the exchange will take place on Monday.",
        )
    ],
    [
        (
            "wire",
            "w2",
            "2025-06-10T18:00:00+00:00",
            "Exchange done",
            "The swap was completed on Tuesday, Ukrainian and Russian officials said.",
        )
    ],
]
#: What each step must deliver (alert titles contain these values).
EXPECTED_PER_STEP = [["agreed"], ["9 June 2025"], ["completed"]]


def write_rules(folder: Path, feeds: FeedServer, hook_url: str) -> Path:
    """The test rule file, pointing at the loopback feeds and receiver."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rules.yaml"
    path.write_text(RULES.format(wire=feeds.url("wire"), courier=feeds.url("courier"), hook=hook_url))
    return path


class Timeline:
    """Feeds that grow step by step."""

    def __init__(self, feeds: FeedServer) -> None:
        self.feeds = feeds
        self.items: dict[str, dict[str, FeedItem]] = {"wire": {}, "courier": {}}
        self.publish()

    def publish(self) -> None:
        """Serve the current items."""
        self.feeds.publish(
            {name: render_rss(name, list(items.values())) for name, items in self.items.items()}
        )

    def add(self, entries: Sequence[tuple[str, str, str, str, str]]) -> None:
        """Add (or edit, same guid) entries and serve them."""
        for feed, guid, published, title, text in entries:
            self.items[feed][guid] = FeedItem(
                guid,
                title,
                textwrap.dedent(text),
                datetime.fromisoformat(published),
                f"https://news.test/{guid}",
            )
        self.publish()


def vigil_env(db: str, **extra: str) -> dict[str, str]:
    """The environment a test daemon runs with: no VIGIL_ variable of the caller's, the store, ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env["VIGIL_DB"] = db
    return {**env, **extra}


def run_once(db: str, rules: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``vigil run --once`` as a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "run", "--once", "--rules", str(rules), *extra],
        capture_output=True,
        text=True,
        env=vigil_env(db),
        timeout=120,
    )


def daemon_command(rules: Path, *extra: str) -> list[str]:
    """``vigil run`` as the tests start it: JSON logs, a processing pass every second, then ``extra``."""
    return [
        sys.executable, "-m", "service.cli", "run", "--rules", str(rules), "--log-format", "json",
        "--process-every", "1s", *extra,
    ]  # fmt: skip


def start_daemon(
    db: str, rules: Path, log: Path, *extra: str, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``vigil run`` in the background, logging to ``log``; ``env`` adds variables to ``vigil_env(db)``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            daemon_command(rules, *extra), stdout=out, stderr=out, env=vigil_env(db, **(env or {}))
        )


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 30) -> int:
    """Send ``sig`` and wait for the exit code."""
    if process.poll() is None:
        process.send_signal(sig)
    return process.wait(timeout=timeout)
