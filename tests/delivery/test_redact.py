"""Redaction of apprise URLs: no secret substring may ever appear in what is shown."""

from __future__ import annotations

import pytest

from service.masking.apprise_urls import redact, scrub

CASES = [
    # (url, secrets that must not appear, text that should stay readable)
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general",
     ["TIiajkdnlazkcOXrIdevi7FQ", "A1BRTD4JD", "T1JJ3T3L2"], ["slack://", "general"]),
    ("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-100123456",
     ["AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "123456789:"], ["tgram://"]),
    ("json://127.0.0.1:8080/hook?+Authorization=Bearer%20Sup3rS3cretT0ken&-apikey=ParamSecret99",
     ["Sup3rS3cretT0ken", "ParamSecret99"], ["json://127.0.0.1:8080/hook", "+Authorization=***", "-apikey=***"]),
    ("json://127.0.0.1/hook?+X-Api-Key=plainwords&:token=payloadsecret",
     ["plainwords", "payloadsecret"], ["+X-Api-Key=***"]),
    ("mailto://vigil:hunter2pass@smtp.example.org?to=ops@example.org",
     ["hunter2pass"], ["smtp.example.org", "ops%40example.org"]),
    ("ntfys://ntfy.sh/vigil-a8f3k2j4l5q9", ["a8f3k2j4l5q9"], ["ntfy.sh"]),
    ("discord://1234567890/wEbHoOkToKeN-0123456789abcdef", ["wEbHoOkToKeN-0123456789abcdef"], ["discord://"]),
    ("mqtt://broker:MqttPa55@127.0.0.1:1883/vigil/alerts", ["MqttPa55"], ["vigil/alerts"]),
    ("xyz://user:NotAServicePassword@host/path", ["NotAServicePassword", "user"], ["xyz://"]),
]


@pytest.mark.parametrize(("url", "secrets", "readable"), CASES)
def test_no_secret_survives_and_the_target_stays_recognisable(url: str, secrets: list[str],
                                                             readable: list[str]) -> None:
    shown = redact(url)
    for secret in secrets:
        assert secret not in shown
    for text in readable:
        assert text in shown


def test_environment_references_stay_readable_and_defaults_are_masked() -> None:
    assert redact("slack://${SLACK_A}/${SLACK_B}/${SLACK_C}") == "slack://${SLACK_A}/${SLACK_B}/${SLACK_C}"
    shown = redact("tgram://${BOT_TOKEN:-123456:AAHdqTcvCH1vGWJxf}/-100123")
    assert "AAHdqTcvCH1vGWJxf" not in shown
    assert "${BOT_TOKEN:-***}" in shown
    assert redact("mailto://${SMTP_USER}:${SMTP_PASSWORD}@smtp.example.org").startswith(
        "mailto://${SMTP_USER}:***@smtp.example.org")


def test_apprise_defaults_are_not_shown() -> None:
    assert redact("mqtt://127.0.0.1:1883/vigil/test-topic") == "mqtt://127.0.0.1/vigil/test-topic"


@pytest.mark.parametrize(("url", "shown"), [
    ("not a url at all", "***"),
    ("json://", "json://***"),
    ("unknownscheme://secretish", "unknownscheme://***"),
])
def test_an_invalid_url_is_fully_masked(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_scrub_masks_hidden_parts_of_the_url_in_a_message_and_keeps_visible_ones() -> None:
    url = "json://127.0.0.1:8080/hook?+Authorization=Bearer%20Sup3rS3cretT0ken"
    message = f"POST to 127.0.0.1 failed (Authorization: Bearer Sup3rS3cretT0ken) for {url}"
    scrubbed = scrub(message, url)
    assert "Sup3rS3cretT0ken" not in scrubbed
    assert "POST to 127.0.0.1 failed" in scrubbed


@pytest.mark.parametrize("url", ["json://[::1", "mailto://${USER}:Pa55word99@[bad", "json://a b/c", ""])
def test_malformed_urls_never_raise_and_never_leak(url: str) -> None:
    assert "Pa55word99" not in redact(url)
    assert "Pa55word99" not in scrub(f"could not send to {url}", url)
