"""The hostile-feed corpus in one pipeline pass: every input ends as a failed poll or a partial read,
within bounded time and memory, nothing it points at is read, and a good source alerts as usual.

``tests/pipeline/test_malformed_feeds.py`` runs a few bad feeds through daemon processes; this file
runs the whole corpus (``hostile_corpus.py``) through the same ``Pipeline`` the daemon uses, in-process,
so the memory it costs can be measured.
"""

from __future__ import annotations

import gc
import re
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.rules.models import SourceSpec
from service.sources.poller import PollSettings, poll_source
from tests.sources.hostile_corpus import (
    TRICKLE_INTERVAL,
    Body,
    Drip,
    Hang,
    HostileInput,
    Huge,
    Raw,
    Redirect,
    Status,
    Trickle,
    build_corpus,
)
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml
from tests.support.rawserver import RawServer
from tests.support.receivers import JsonReceiver

POLL_TIMEOUT = 2.5  # longer than the trickle interval: per-read timeouts alone never end a slow-loris
assert POLL_TIMEOUT > 2 * TRICKLE_INTERVAL
#: Wall time for the whole pass: the three inputs that never end run concurrently, each cut at the timeout.
PASS_LIMIT = POLL_TIMEOUT + 6.0
#: Peak resident memory the pass may add: a few 10 MB bodies held at once by the poll workers.
MEMORY_LIMIT_MB = 250

RULES = """\
sources:
  good: {{url: "{good}", every: 1m}}
{hostile}
items:
  exchange:
    title: Prisoner exchange
    scope: [[ukraine, kyiv], [russia, moscow]]
    initial: none
    states:
      agreed: ['agreed (to|on) (a|an) (new )?prisoner (exchange|swap)']
alerts:
  - name: exchange-news
    when: {{item: exchange}}
subscribers:
  ops: {{urls: ["{hook}"]}}
"""


@pytest.fixture
def servers() -> Iterator[tuple[FeedServer, RawServer, JsonReceiver]]:
    """The feed server, the raw server and the alert receiver of one test."""
    with FeedServer() as feeds, RawServer() as raw, JsonReceiver() as hook:
        yield feeds, raw, hook


def _install(case: HostileInput, feeds: FeedServer, raw: RawServer) -> str:
    """Serve ``case`` and return its URL."""
    path = f"/{case.name}.xml"
    match case.serving:
        case Body(data, content_type):
            feeds.set_feed(path, data, content_type=content_type)
        case Status(code):
            feeds.set_error(path, code, b"")
        case Redirect("loop"):
            feeds.set_redirect(path, f"/{case.name}-b.xml")
            feeds.set_redirect(f"/{case.name}-b.xml", path)
        case Redirect(location):
            feeds.set_redirect(path, location)
        case Hang():
            feeds.set_hang(path)
        case Drip():
            feeds.set_drip(path, interval=TRICKLE_INTERVAL)
        case Huge(size, declare_length):
            feeds.set_huge(path, size, declare_length=declare_length)
        case Raw(data):
            raw.set_raw(path, data)
            return raw.url(path)
        case Trickle(prefix, filler):
            raw.set_trickle(path, prefix, filler, interval=TRICKLE_INTERVAL)
            return raw.url(path)
    return feeds.url(path)


def _memory_mb(field: str) -> float:
    status = Path("/proc/self/status").read_text()
    found = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    assert found, f"{field} missing from /proc/self/status"
    return int(found.group(1)) / 1024


def _reset_peak_memory() -> bool:
    """Make VmHWM start again from the current RSS (Linux: writing 5 to clear_refs); False if refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:  # some sandboxes refuse it: the peak would then include earlier tests
        return False
    return True


def test_every_hostile_input_is_a_failed_poll_or_a_partial_read(
    servers: tuple[FeedServer, RawServer, JsonReceiver], sqlite_url: str, tmp_path: Path
) -> None:
    feeds, raw, hook = servers
    secret = f"SECRET-{secrets.token_hex(8)}"
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(secret)
    feeds.set_feed("/evil.dtd", f'<!ENTITY remote "{secret}">', content_type="application/xml-dtd")
    corpus = build_corpus(str(secret_file), feeds.url("/evil.dtd"))
    urls = {case.name: _install(case, feeds, raw) for case in corpus}
    feeds.set_feed(
        "/good.xml",
        rss_xml(
            [
                FixtureItem(
                    "Talks end",
                    "Ukraine and Russia agreed to a new prisoner exchange, Kyiv and Moscow said.",
                    guid="g1",
                    link="https://news.test/g1",
                )
            ]
        ),
    )
    hostile = "".join(f'  h-{name}: {{url: "{url}", every: 1m}}\n' for name, url in urls.items())
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.format(good=feeds.url("/good.xml"), hostile=hostile, hook=hook.url("/hook")))
    store = open_pipeline_store(sqlite_url)
    pipeline = Pipeline(
        store,
        load_rules([rules], env={}),
        env={},
        poll_settings=PollSettings(timeout=POLL_TIMEOUT),
        poll_workers=len(corpus) + 1,
    )
    try:
        pipeline.record_configuration()
        gc.collect()
        measured = _reset_peak_memory()
        before = _memory_mb("VmRSS")
        started = time.monotonic()
        outcomes = {outcome.source: outcome for outcome in pipeline.poll_all(force=True)}
        elapsed = time.monotonic() - started
        peak_growth = _memory_mb("VmHWM") - before
        pipeline.process()
        pipeline.deliver()
    finally:
        pipeline.close()

    events = list(store.read_all())
    store.close()
    polled = {e.data["source"]: e.data for e in events if e.type in ("SourcePolled", "SourcePollFailed")}
    results = [_judge(case, outcomes[f"h-{case.name}"].status, polled[f"h-{case.name}"]) for case in corpus]
    print(
        f"\nhostile corpus: {len(corpus)} inputs, {sum(ok for ok, _ in results)} handled as expected, "
        f"pass {elapsed:.2f}s, peak RSS growth {peak_growth:.0f} MB"
    )
    for case, (ok, line) in zip(corpus, results, strict=True):
        print(f"  {'ok ' if ok else 'BAD'} {case.name:28} {line}")
    assert all(ok for ok, _ in results), [line for ok, line in results if not ok]

    assert outcomes["good"].status == "ok" and outcomes["good"].new == 1
    delivered = [r.json()["title"] for r in hook.requests()]
    assert len(delivered) == 1 and "agreed" in delivered[0]
    assert elapsed < PASS_LIMIT
    assert peak_growth < MEMORY_LIMIT_MB or not measured
    # Nothing a hostile feed pointed at was read, and nothing was expanded.
    assert feeds.request_count("/evil.dtd") == 0
    recorded = " ".join(str(e.data) for e in events)
    assert secret not in recorded
    assert "lollol" not in recorded
    assert max(len(e.data.get("text", "")) for e in events if e.type == "EntryObserved") < 1_000_000


def _judge(case: HostileInput, status: str, recorded: dict[str, object]) -> tuple[bool, str]:
    """Whether the recorded poll matches what ``case`` expects, and a line saying what happened."""
    if status == "failed":
        reason = str(recorded.get("reason"))
        return case.outcome == "failed" and case.reason in reason, f"failed: {reason}"
    problem = str(recorded.get("problem"))
    ok = case.outcome == "partial" and status in ("ok", "unchanged") and case.reason in problem
    return ok, f"{status}, {recorded.get('entries_new')} entries, problem: {problem}"


@pytest.mark.postgres
def test_control_characters_from_a_feed_are_dropped_so_postgresql_can_record_it(pg_url: str) -> None:
    # "&#0;" and raw control bytes reach the entry through feedparser's lenient parser; PostgreSQL's
    # JSONB refuses NUL, which used to fail every poll of such a feed with a database error.
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Talks &#0;resume</title>'
        "<guid>nul-1</guid><description>Negotiators\x00 met\x01 again.</description></item></channel></rss>"
    )
    store = open_pipeline_store(pg_url)
    with FeedServer() as feeds, httpx.Client() as client:
        feeds.set_feed("/nul.xml", body)
        spec = SourceSpec(url=feeds.url("/nul.xml"), every="10m")
        outcome = poll_source(store, "nul", spec, owner="test", now=datetime.now(UTC), client=client, force=True)
    entries = [e.data for e in store.read_all() if e.type == "EntryObserved"]
    store.close()
    assert outcome.status == "ok", outcome.detail
    assert [(e["title"], e["text"]) for e in entries] == [("Talks resume", "Negotiators met again.")]
