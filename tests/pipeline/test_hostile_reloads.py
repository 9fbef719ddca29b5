"""A live daemon given hostile rule files by SIGHUP never dies: each reload is applied or refused (the old
rules kept), whatever the file does to the loader — YAML bombs, deep nesting, slow patterns, bad templates."""

from __future__ import annotations

import signal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.demo.feeds import FeedServer
from tests.pipeline.harness import Timeline, start_daemon, stop, write_rules
from tests.rules.hostile_rules import hostile_rule_files
from tests.support.receivers import JsonReceiver, poll

DEADLINE = 120.0
FIXED = [
    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
    "items: " + "[" * 5000 + "]" * 5000 + "\n",
    "items: " + "{a: " * 3000 + "b" + "}" * 3000 + "\n",
]


def _outcomes(log: Path) -> int:
    return sum(1 for line in log.read_text(errors="replace").splitlines()
               if "reload refused" in line or "rules loaded" in line)


@given(files=st.lists(hostile_rule_files(), min_size=6, max_size=6))
@settings(max_examples=1, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_a_daemon_survives_any_rule_file_sent_by_sighup(tmp_path_factory: object, files: list[str]) -> None:
    tmp_path: Path = tmp_path_factory.mktemp("hostile")  # type: ignore[attr-defined]
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        good = rules.read_text()
        Timeline(feeds)
        log = tmp_path / "daemon.log"
        daemon = start_daemon(f"sqlite:///{tmp_path / 'vigil.db'}", rules, log)
        try:
            poll(lambda: [_outcomes(log)], lambda n: n >= 1, DEADLINE, "the first rules loaded")
            for text in [*FIXED, *files, good]:
                before = _outcomes(log)
                rules.write_text(text)
                daemon.send_signal(signal.SIGHUP)
                poll(lambda: [_outcomes(log)], lambda n, b=before: n > b or daemon.poll() is not None,
                     DEADLINE, "a reload applied or refused")
                assert daemon.poll() is None, log.read_text()[-3000:]
            # Every refusal named the rule file's problem: no failure reached the catch-all.
            assert "the rules could not be loaded" not in log.read_text()
        finally:
            assert stop(daemon) == 0
