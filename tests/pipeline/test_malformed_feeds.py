"""Bad feeds never stop the daemon or the other sources."""

from __future__ import annotations

from pathlib import Path

from service.demo.feeds import FeedServer
from service.store.bootstrap import open_store
from tests.pipeline.harness import STEPS, Timeline, run_once, start_daemon, stop, write_rules
from tests.support.feedserver import FeedServer as FailingFeedServer
from tests.support.feedserver import FixtureItem, rss_xml
from tests.support.receivers import JsonReceiver, poll


def test_bad_sources_are_recorded_and_good_ones_still_alert(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook, FailingFeedServer() as bad:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        bad.set_error("/error.xml", 500)
        bad.set_truncated("/truncated.xml", "<?xml version='1.0'?><rss version='2.0'><channel><title>x</title>"
                          "<item><title>Cut off in the middle of a sentence about Kyiv</title>")
        bad.set_html("/page.xml")
        bad.set_huge("/huge.xml", 50_000_000)
        bad.set_hang("/hang.xml")
        failing = {name: bad.url(f"/{name}.xml") for name in ("error", "truncated", "page", "huge", "hang")}
        extra = "".join(f'  bad-{name}: {{url: "{url}", every: 1s}}\n' for name, url in failing.items())
        rules.write_text(rules.read_text().replace("items:\n", extra + "items:\n", 1))
        Timeline(feeds).add(STEPS[0])

        result = run_once(sqlite_url, rules, "--log-level", "WARNING", "--poll-timeout", "2s")
        assert result.returncode == 0, result.stderr
        assert f"{len(failing)} failed" in result.stdout
        warned = [line for line in result.stderr.splitlines() if "WARNING" in line and ": failed" in line]
        assert sorted(line.split("polled ")[1].split(":")[0] for line in warned) == sorted(
            f"bad-{name}" for name in failing
        )
        assert all("detail=" in line for line in warned)
        assert ": ok" not in result.stderr  # good polls stay at INFO
        assert len(hook.requests()) == 1

        store = open_store(sqlite_url)
        failures = {
            e.data["source"]: e.data["reason"] for e in store.read_all() if e.type == "SourcePollFailed"
        }
        store.close()
        assert set(failures) == {f"bad-{name}" for name in failing}
        assert all(reason for reason in failures.values())

        daemon = start_daemon(sqlite_url, rules, tmp_path / "daemon.log", "--poll-timeout", "2s")
        try:
            store = open_store(sqlite_url)
            start = store.last_position()
            poll(
                lambda: [sum(1 for e in store.read_all(start) if e.type == "SourcePolled")],
                lambda n: n >= 2,
                60,
                "the good sources polled again",
            )
            assert daemon.poll() is None
            store.close()
        finally:
            assert stop(daemon) == 0


def test_a_pass_that_reads_no_feed_exits_2_and_records_why(sqlite_url: str, tmp_path: Path) -> None:
    with FailingFeedServer() as feeds:
        feeds.set_error("/wire.xml", 503)
        rules = tmp_path / "rules.yaml"
        rules.write_text(
            f'sources:\n  wire: {{url: "{feeds.url("/wire.xml")}", every: 1m}}\n'
            "items:\n  truce:\n    title: Truce\n    initial: none\n    states: {agreed: ['truce agreed']}\n"
        )
        down = run_once(sqlite_url, rules)
        assert down.returncode == 2, down.stderr
        assert "polled 1 sources (1 failed)" in down.stdout
        assert "vigil: every source failed to poll (1); `vigil sources` shows why" in down.stderr
        assert "Traceback" not in down.stderr
        store = open_store(sqlite_url)
        assert [e.data["source"] for e in store.read_all() if e.type == "SourcePollFailed"] == ["wire"]
        store.close()

        feeds.set_feed("/wire.xml", rss_xml([FixtureItem("Quiet day", "Nothing happened.", guid="q1")]))
        back = run_once(sqlite_url, rules)
        assert back.returncode == 0, back.stderr
        assert "polled 1 sources (0 failed)" in back.stdout
