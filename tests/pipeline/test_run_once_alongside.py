"""``vigil run --once`` judges entries and sends alerts while slower feeds are still being read.

A pass ran its stages one after the other, so an alert from a feed read in a second waited for the
slowest feed (up to ``--poll-timeout``) before it was even judged. Processing and delivery now run
alongside the polls, as they do in the daemon; the final passes only do what is left.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from service.pipeline.wiring import open_pipeline_store
from tests.pipeline.harness import RULES, STEPS, vigil_env
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml
from tests.support.receivers import JsonReceiver

HANG_FOR = 8.0  # the slow feed's poll timeout: an alert before it shows the pass did not wait for it


def test_an_alert_goes_out_while_a_slow_feed_is_still_being_read(sqlite_url: str, tmp_path: Path) -> None:
    _feed, guid, published, title, text = STEPS[0][0]
    with FeedServer() as feeds, JsonReceiver() as hook:
        feeds.set_feed("wire", rss_xml([FixtureItem(title, text, guid=guid, published=published)]))
        feeds.set_hang("courier")  # answers nothing until the poll gives up
        rules = tmp_path / "rules.yaml"
        rules.write_text(RULES.format(wire=feeds.url("wire"), courier=feeds.url("courier"),
                                      hook=f"json://127.0.0.1:{hook.port}/hook"))
        started = time.monotonic()
        once = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "run", "--once", "--rules", str(rules),
             "--poll-timeout", f"{HANG_FOR:.0f}s"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=vigil_env(sqlite_url),
        )  # fmt: skip
        try:
            alert = hook.wait_for(lambda r: r.path == "/hook", timeout=HANG_FOR + 20)
            arrived = time.monotonic() - started
            out, err = once.communicate(timeout=HANG_FOR + 30)
        finally:
            once.kill()
    assert "agreed" in alert.text
    assert arrived < HANG_FOR, f"the alert waited for the slow feed ({arrived:.1f}s)"
    assert once.returncode == 0, err
    # The summary counts what was done alongside the polls and after them, once each.
    assert "polled 2 sources (1 failed), processed 1 entries, 1 state changes, 1 deliveries attempted" in out
    store = open_pipeline_store(sqlite_url)
    try:
        delivered = [e for e in store.read_all() if e.type == "AlertDelivered"]
    finally:
        store.close()
    assert len(delivered) == 1
