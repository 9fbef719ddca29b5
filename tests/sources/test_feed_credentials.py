"""A private feed's credentials never leave it: not in a resolved link, a guid, the log or any output.

The feed is served on loopback at a URL holding a password and an ``apikey`` query value, and its
entries have relative links and guids, which are resolved against the feed's URL.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from service.demo.feeds import FeedServer
from tests.cli.test_operations import vigil
from tests.pipeline.harness import run_once
from tests.support.receivers import JsonReceiver

PASSWORD = "feedpass-7Qx2"
API_KEY = "k3yV4lue99Zq"

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Private wire</title><link>/</link><description>private</description>
<item><title>Exchange agreed</title><link>/story/0</link><guid isPermaLink="true">/story/0</guid>
<pubDate>Mon, 02 Jun 2025 14:00:00 +0000</pubDate>
<description>Ukraine and Russia agreed to a new prisoner exchange.</description></item>
</channel></rss>
"""

RULES = """\
sources:
  private: {{url: "{feed}", every: 5m}}
items:
  exchange:
    title: Prisoner exchange
    scope: [[ukraine], [russia]]
    initial: none
    states:
      agreed: ['agreed to a new prisoner exchange']
alerts:
  - name: exchange-news
    when: {{item: exchange}}
subscribers:
  ops: {{urls: ["{hook}"]}}
"""


def test_a_feeds_credentials_reach_no_link_no_event_and_no_output(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        # FeedServer looks a document up by its path, query included.
        feeds.publish({f"private.xml?apikey={API_KEY}": FEED.encode()})
        host = feeds.base_url.removeprefix("http://")
        feed_url = f"http://reader:{PASSWORD}@{host}/private.xml?apikey={API_KEY}"
        rules = tmp_path / "rules.yaml"
        rules.write_text(RULES.format(feed=feed_url, hook=hook.url("/hook")))
        ran = run_once(sqlite_url, rules)
        assert ran.returncode == 0, ran.stderr
        assert "1 state changes" in ran.stdout
        notifications = [request.body.decode() for request in hook.requests()]
    assert len(notifications) == 1
    # The link is resolved against the feed's URL without its credentials: it still works, and says nothing.
    assert f"http://{host}/story/0" in json.loads(notifications[0])["message"]

    outputs = [ran.stdout, ran.stderr, *notifications]
    for command in (["events", "--json", "--limit", "100"], ["state"], ["timeline", "exchange"],
                    ["export", "--format", "jsonl"], ["alerts"]):
        shown = vigil(sqlite_url, *command, "--rules", str(rules)) if command[0] in ("state", "timeline") \
            else vigil(sqlite_url, *command)
        assert shown.returncode == 0, (command, shown.stderr)
        outputs += [shown.stdout, shown.stderr]
    database = b"".join(Path(sqlite_url + suffix).read_bytes() for suffix in ("", "-wal")
                        if Path(sqlite_url + suffix).exists())
    for secret in (PASSWORD, API_KEY):
        assert all(secret not in output for output in outputs), secret
        assert secret.encode() not in database, secret
    assert re.search(r"reader:\*\*\*@|apikey=\*\*\*", "".join(outputs)), "the masked URL is still shown"
