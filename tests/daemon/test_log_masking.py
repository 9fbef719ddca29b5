"""Every log line the daemon writes is masked, at every level and from every library."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import apprise
import pytest

from service.daemon.logs import configure_logging, remember_rule_secrets
from service.rules.models import RuleSet
from tests.support.receivers import JsonReceiver

PATH_TOKEN = "Wh00kT0ken5ecret77"
API_KEY = "ap1KeyValue42x"
SIGNATURE = "s1gnatureVal9"


@pytest.fixture
def daemon_log() -> Iterator[io.StringIO]:
    """What the daemon's log handler writes; the test run's own logging is restored after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    urllib3_level = logging.getLogger("urllib3").level
    configure_logging("text", "DEBUG")
    written = io.StringIO()
    root.handlers[0].setStream(written)  # type: ignore[attr-defined]
    yield written
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("urllib3").setLevel(urllib3_level)


def test_a_webhooks_token_and_apikey_never_reach_the_debug_log(daemon_log: io.StringIO) -> None:
    with JsonReceiver() as hook:
        url = hook.url(f"/hook/{PATH_TOKEN}", query=f"apikey={API_KEY}")
        remember_rule_secrets(RuleSet.model_validate({"subscribers": {"ops": {"urls": [url]}}}), {})
        sender = apprise.Apprise()
        sender.add(url)
        assert sender.notify(title="t", body="b")
        assert len(hook.requests()) == 1
    written = daemon_log.getvalue()
    # urllib3 logs each request it makes at DEBUG, path and query included: the line is there, masked.
    assert "urllib3.connectionpool" in written and '"POST /hook/' in written
    assert PATH_TOKEN not in written and API_KEY not in written


def test_a_reason_phrase_echoing_a_signed_path_is_masked(daemon_log: io.StringIO) -> None:
    # A feed server that answers "403 Forbidden /feed.xml?sig=..." puts the signature in the poll's error.
    logging.getLogger("vigil.pipeline").warning(
        "polled wire: failed", extra={"detail": f"HTTP 403 Forbidden /feed.xml?expires=9&sig={SIGNATURE}"}
    )
    logging.getLogger("vigil.test").error("boom", exc_info=ValueError(f"https://u:{SIGNATURE}@host/x"))
    written = daemon_log.getvalue()
    assert "polled wire: failed" in written and "sig=***" in written and "u:***@host" in written
    assert SIGNATURE not in written
