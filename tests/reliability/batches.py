"""A fault-test scenario with many independent alerts: prisoner batches freed one by one.

Each batch is its own item, so each published entry raises exactly one alert whatever order the
daemon reads the entries in (one item moving twice would depend on publication order). Every alert
has its own title ("Batch 7: none → freed"), so the receiver can count deliveries per alert.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from service.demo.feeds import FeedServer
from tests.pipeline.harness import Timeline
from tests.support.receivers import HttpRequest, JsonReceiver

FEEDS = ("wire", "courier")
_START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def write_batch_rules(folder: Path, feeds: FeedServer, hook_url: str, count: int) -> Path:
    """Rules with ``count`` batch items on two 1-second feeds, every alert going to ``hook_url``."""
    lines = ["sources:"]
    lines += [f'  {name}: {{url: "{feeds.url(name)}", every: 1s}}' for name in FEEDS]
    lines.append("items:")
    for number in range(1, count + 1):
        lines += [
            f"  batch-{number}:",
            f"    title: Batch {number}",
            "    tags: [batches]",
            "    scope: [[kyiv], [moscow]]",
            f"    states: {{freed: ['prisoner batch {number} (was|were) freed']}}",
        ]
    lines += [
        "alerts:",
        "  - name: batch-news",
        "    when: {tags: [batches]}",
        "    notify: [ops]",
        "subscribers:",
        f'  ops: {{urls: ["{hook_url}"]}}',
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rules.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def publish_batch(timeline: Timeline, number: int) -> str:
    """Publish the entry that frees batch ``number`` (feeds alternate); return the alert title it raises."""
    feed = FEEDS[number % len(FEEDS)]
    published = (_START + timedelta(minutes=number)).isoformat()
    text = f"Officials in Kyiv and Moscow said prisoner batch {number} was freed."
    timeline.add([(feed, f"batch-{number}", published, f"Batch {number} freed", text)])
    return expected_title(number)


def expected_title(number: int) -> str:
    """The title of the alert batch ``number`` raises."""
    return f"Batch {number}: none → freed"


def delivered_titles(hook: JsonReceiver) -> list[str]:
    """Titles of the alerts the receiver accepted (answered 200), in arrival order."""
    return [r.json()["title"] for r in hook.requests() if r.status == 200]


_MEMBER = re.compile(r"^\d+\. (Batch \d+: none → freed)$", re.MULTILINE)


def message_members(request: HttpRequest) -> list[str]:
    """The alert titles one message carries: its own title, or each numbered one of a group or a digest."""
    sent = request.json()
    return _MEMBER.findall(sent["message"]) or [sent["title"]]


def log_records(log: Path) -> list[dict[str, Any]]:
    """The JSON records of a daemon log (``--log-format json``); other lines are skipped."""
    if not log.exists():
        return []
    records = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a SIGKILL
    return records
