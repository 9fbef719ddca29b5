"""Real sends through apprise to loopback targets: HTTP (json://), SMTP (mailto://), MQTT (mqtt://)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import apprise
import pytest

from service.delivery.sender import _failure, check_url, send
from tests.support.receivers import JsonReceiver, MqttSubscriber, SmtpReceiver, free_port

TITLE = "Ceasefire: none → agreed"
SENTENCE = "Negotiators said both sides had agreed a full ceasefire."
BODY = f"Ceasefire: changed from none to agreed.\n\n“{SENTENCE}”\n  — wire, https://wire.example.org/1"
FAST = "cto=2&rto=2"  # apprise's HTTP connect/read timeouts, short for tests
TIMEOUT = 10.0


def test_json_target_receives_title_and_body_and_the_header_from_the_environment() -> None:
    with JsonReceiver() as receiver:
        url = receiver.url("/vigil", f"{FAST}&+Authorization=Bearer%20${{HOOK_TOKEN}}")
        [result] = send([url], TITLE, BODY, env={"HOOK_TOKEN": "T0kenFromEnv42"}, timeout=TIMEOUT)
        request = receiver.wait_for()
    assert result.ok and result.error is None
    assert request.path == "/vigil"
    assert request.headers["Authorization"] == "Bearer T0kenFromEnv42"
    payload = request.json()
    assert payload["title"] == TITLE
    assert SENTENCE in payload["message"]
    assert "T0kenFromEnv42" not in result.target
    assert result.target.endswith("+Authorization=***")


def test_mailto_target_delivers_a_mail_with_the_title_as_subject() -> None:
    with SmtpReceiver() as smtp:
        [result] = send([smtp.url()], TITLE, BODY, env={}, timeout=TIMEOUT)
        mail = smtp.wait_for()
    assert result.ok, result.error
    assert mail.subject == TITLE
    assert "ops@example.org" in mail.rcpt_tos
    assert SENTENCE in mail.text


def test_mqtt_target_publishes_to_the_topic() -> None:
    with MqttSubscriber() as subscriber:
        [result] = send([subscriber.url()], TITLE, BODY, env={}, timeout=TIMEOUT)
        message = subscriber.wait_for(lambda m: SENTENCE in m.text)
    assert result.ok, result.error
    assert message.topic == subscriber.topic
    assert TITLE in message.text


def test_each_url_gets_its_own_result_in_order() -> None:
    with JsonReceiver() as good, JsonReceiver(fail_times=1) as bad:
        results = send([good.url("/a", FAST), bad.url("/b", FAST)], TITLE, BODY, env={}, timeout=TIMEOUT)
        assert [r.ok for r in results] == [True, False]
        assert len(good.requests()) == 1 and len(bad.requests()) == 1


def test_a_500_answer_is_a_failed_result_with_the_reason_and_a_later_send_succeeds() -> None:
    with JsonReceiver(fail_times=1) as receiver:
        url = receiver.url("/hook", f"{FAST}&+Authorization=Bearer%20Sup3rS3cretT0ken")
        [failed] = send([url], TITLE, BODY, env={}, timeout=TIMEOUT)
        [retried] = send([url], TITLE, BODY, env={}, timeout=TIMEOUT)
        assert [r.status for r in receiver.requests()] == [500, 200]
    assert not failed.ok and failed.retryable  # the receiver may be back later
    assert failed.error and "500" in failed.error
    assert retried.ok
    for result in (failed, retried):
        assert "Sup3rS3cretT0ken" not in f"{result.target} {result.error}"


def test_a_refused_connection_is_a_failed_result() -> None:
    [result] = send([f"json://127.0.0.1:{free_port()}/hook?{FAST}"], TITLE, BODY, env={}, timeout=TIMEOUT)
    assert not result.ok and result.retryable
    assert result.error and "JSON" in result.error


@pytest.fixture
def silenced_apprise() -> Iterator[None]:
    """apprise's logger switched off, as a daemon may do."""
    log = logging.getLogger("apprise")
    level = log.level
    log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        log.setLevel(level)


def test_a_failure_is_still_a_failure_when_apprise_logs_nothing(silenced_apprise: None) -> None:
    with JsonReceiver(fail_times=1) as receiver:
        [result] = send([receiver.url("/hook", FAST)], TITLE, BODY, env={}, timeout=TIMEOUT)
    assert not result.ok
    assert result.error == "JSON failed (status FAILURE)"


@pytest.mark.parametrize("url", [
    "json://",
    "nosuchservice://user:S3cretPassw0rd@example.org",
    "slack://S3cretPassw0rd/x",
    "just some text S3cretPassw0rd",
])
def test_an_invalid_url_is_a_failed_result(url: str) -> None:
    [result] = send([url], TITLE, BODY, env={}, timeout=TIMEOUT)
    assert not result.ok and not result.retryable  # it cannot work as written: no point trying again
    assert result.error and result.error.startswith("invalid apprise URL: ")
    assert "S3cretPassw0rd" not in f"{result.target} {result.error}"


def test_an_invalid_url_pointing_at_a_live_receiver_sends_nothing() -> None:
    with JsonReceiver() as receiver:
        [result] = send([receiver.url("/hook", "method=BOGUS")], TITLE, BODY, env={}, timeout=TIMEOUT)
        assert receiver.requests() == []
    assert not result.ok
    # apprise's own reason, with every part of the URL that redaction hides masked
    assert result.error == "invalid apprise URL: json://*** (The method specified (***) is invalid)"


def test_an_unset_variable_is_a_failed_result_naming_the_variable_and_nothing_is_sent() -> None:
    with JsonReceiver() as receiver:
        url = receiver.url("/hook", f"{FAST}&+X-Key=${{MISSING_KEY}}")
        [result] = send([url], TITLE, BODY, env={}, timeout=TIMEOUT)
        assert receiver.requests() == []
    assert not result.ok and not result.retryable
    assert result.error and "MISSING_KEY is not set" in result.error


def test_no_matching_service_is_a_failure_not_a_send() -> None:
    nothing_sent = apprise.Apprise().notify(body=BODY, title=TITLE)
    assert nothing_sent.status == apprise.AppriseResultStatus.NOMATCH
    assert "nothing was sent" in _failure(nothing_sent)


def test_check_url() -> None:
    assert check_url("json://127.0.0.1:8080/hook") is None
    assert check_url("mailto://127.0.0.1:2525?from=vigil@example.org&to=ops@example.org") is None
    # references that cannot be filled here: only the scheme can be checked
    assert check_url("slack://${SLACK_A}/${SLACK_B}/${SLACK_C}") is None
    # references that can be filled: the whole URL is checked
    assert check_url("tgram://${BOT}/", env={"BOT": "123456:AAHdqTcvCH1vGWJxf"}) is None
    problem = check_url("tgram://${BOT}/", env={"BOT": "not-a-bot-token"})
    assert problem and problem.startswith("invalid apprise URL: tgram://")
    assert check_url("nosuchservice://${TOKEN}") == \
        "invalid apprise URL: nosuchservice://${TOKEN} (unsupported scheme nosuchservice://)"
    problem = check_url("tgram://S3cretPassw0rd/")
    assert problem and "S3cretPassw0rd" not in problem
