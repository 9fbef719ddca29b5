"""A timeline of entries through the whole pipeline, as `vigil run --once` runs it: exactly the expected
alerts, each with its evidence sentence; re-polls and edited entries raise none."""

from __future__ import annotations

from pathlib import Path

from service.demo.feeds import FeedServer
from service.store.bootstrap import open_store
from tests.pipeline.harness import EXPECTED_PER_STEP, STEPS, Timeline, run_once, write_rules
from tests.support.receivers import JsonReceiver


def test_each_step_delivers_exactly_its_alerts_with_the_evidence(db_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        timeline = Timeline(feeds)
        seen = 0
        for step, expected in zip(STEPS, EXPECTED_PER_STEP, strict=True):
            timeline.add(step)
            result = run_once(db_url, rules)
            assert result.returncode == 0, result.stderr
            got = [r.json() for r in hook.requests()[seen:]]
            seen += len(got)
            assert len(got) == len(expected), got
            for payload, value in zip(got, expected, strict=True):
                assert value in payload["title"]
                assert step[0][4].split(".")[0] in payload["message"]  # the evidence sentence
                assert "https://news.test/" in payload["message"]  # and its link

        # The same feeds again, and one entry edited: nothing new to say.
        assert run_once(db_url, rules).returncode == 0
        timeline.add([(*STEPS[1][0][:4], STEPS[1][0][4].replace("Officials", "Senior officials"))])
        again = run_once(db_url, rules)
        assert again.returncode == 0, again.stderr
        assert len(hook.requests()) == seen

    store = open_store(db_url)
    types = [e.type for e in store.read_all()]
    store.close()
    assert types.count("AlertRaised") == 3 and types.count("AlertDelivered") == 3
    assert types.count("EntryRevised") == 1
    assert types.count("EntryObserved") == 3


def test_rules_that_fail_check_stop_the_start(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("items:\n  x:\n    title: X\n    states: {on: ['(unclosed']}\n")
    result = run_once(str(tmp_path / "v.db"), bad)
    assert result.returncode == 1
    assert f"{bad}:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "v.db").exists()


def test_a_template_failing_on_the_news_still_delivers_its_alert_and_every_later_one(
    sqlite_url: str, tmp_path: Path
) -> None:
    # Fails only on the real evidence (check renders sample changes, which it passes).
    failing = "{% if 'Monday' in sentences|join %}{{ range(10**9)|length }}{% endif %}{{ to_value }}"
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        rules.write_text(rules.read_text().replace(
            "when: {item: exchange}\n", f"when: {{item: exchange}}\n    title: \"{failing}\"\n"
        ))
        timeline = Timeline(feeds)
        timeline.add(STEPS[0])
        result = run_once(sqlite_url, rules)
        assert result.returncode == 0, result.stderr
        timeline.add(STEPS[1])
        assert run_once(sqlite_url, rules).returncode == 0
        got = [r.json() for r in hook.requests()]
    assert [payload["title"] for payload in got] == [
        "Prisoner exchange: none → agreed", "Date of the exchange: announced 9 June 2025"
    ]
    assert "[Vigil: alert rule 'exchange-news': title template" in got[0]["message"]
    store = open_store(sqlite_url)
    [raised] = [e for e in store.read_all() if e.type == "AlertRaised" and e.data["rule"] == "exchange-news"]
    store.close()
    assert "larger than a template may" in raised.data["template_errors"][0]
