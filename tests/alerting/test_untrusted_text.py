"""Entry text is untrusted: it is never evaluated as a template and never rendered as HTML or Markdown.

A feed entry whose evidence sentence carries Jinja syntax, HTML and Markdown goes through the real
pipeline (poll, extraction, alert, apprise) and is delivered for real to a local JSON receiver in
text, HTML and Markdown form, and to a local SMTP server as an HTML mail.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest

from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml
from tests.support.receivers import JsonReceiver, SmtpReceiver

# What an attacker writes in a story. The feed carries it as text: HTML-escaped inside the item's HTML.
HOSTILE = (
    "{{ 7*7 }} {% for x in range(3) %}loop{% endfor %} {{ config }} "
    "<script>alert('x')</script> <img src=x onerror=alert(1)> <b>bold</b> "
    "[click here](https://evil.test/phish) ![pixel](https://evil.test/p.png) *emphasis* `code`"
)
SENTENCE = f"Ukraine and Russia agreed to a new prisoner exchange {HOSTILE} in Kyiv and Moscow."
RAW_MARKUP = ("<script>", "<img", "<b>bold")
# An HTML tag as CommonMark would pass it through: a name, then anything but an escape, then ">".
MARKDOWN_RAW_TAG = re.compile(r"</?[A-Za-z][^<>\\]*>")
# What the sentence would read if "{{ 7*7 }}" were evaluated. A bare "49" is no proof: the alert's
# "Published ... 21:49 UTC" line holds one whenever the test runs at 49 minutes past.
EVALUATED = "prisoner exchange 49"

RULES = """\
sources:
  wire: {{url: "{feed}", every: 1m}}
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
    title: "{{{{ item_title }}}}: {{{{ evidence[0].sentence }}}}"
subscribers:
  text: {{urls: ["{text}"]}}
  html: {{urls: ["{html}"]}}
  markdown: {{urls: ["{markdown}"]}}
  mail: {{urls: ["{mail}"]}}
"""


@pytest.fixture(scope="module")
def delivered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[JsonReceiver, SmtpReceiver]]:
    """One pipeline pass over the hostile entry, delivered to every receiver (shared by the tests)."""
    tmp_path = tmp_path_factory.mktemp("untrusted")
    with FeedServer() as feeds, JsonReceiver() as hook, SmtpReceiver() as smtp:
        # The entry's HTML holds the hostile text escaped, so after tag stripping it is the literal text.
        item = FixtureItem("Talks end", html.escape(SENTENCE, quote=False), guid="h1", link="https://news.test/h1")
        feeds.set_feed("/wire.xml", rss_xml([item]))
        rules = tmp_path / "rules.yaml"
        rules.write_text(
            RULES.format(
                feed=feeds.url("/wire.xml"),
                text=hook.url("/text"),
                html=hook.url("/html", "format=html"),
                markdown=hook.url("/markdown", "format=markdown"),
                mail=smtp.url() + "&format=html",
            )
        )
        pipeline = Pipeline(open_pipeline_store(str(tmp_path / "vigil.db")), load_rules([rules], env={}), env={})
        try:
            pipeline.record_configuration()
            pipeline.run_once()
        finally:
            pipeline.close()
            pipeline.store.close()
        yield hook, smtp


def _payload(hook: JsonReceiver, path: str) -> dict[str, str]:
    found = [r.json() for r in hook.requests() if r.path == path]
    assert len(found) == 1, f"{path}: {len(found)} deliveries"
    return found[0]


def test_plain_text_shows_the_entry_text_literally(delivered: tuple[JsonReceiver, SmtpReceiver]) -> None:
    payload = _payload(delivered[0], "/text")
    for part in (payload["title"], payload["message"]):
        assert "{{ 7*7 }}" in part and "{% for x in range(3) %}loop{% endfor %}" in part
        assert EVALUATED not in part and "looploop" not in part
        assert "<script>alert('x')</script>" in part  # plain text: shown as written, nothing to escape


def test_html_notifications_escape_the_entry_text(delivered: tuple[JsonReceiver, SmtpReceiver]) -> None:
    body = _payload(delivered[0], "/html")["message"].replace("&nbsp;", " ")
    assert not any(markup in body for markup in RAW_MARKUP)
    assert "&lt;script&gt;" in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "[click here](https://evil.test/phish)" in body  # plain text in HTML: no link is made
    assert "{{ 7*7 }}" in body and EVALUATED not in body


def test_markdown_notifications_escape_the_entry_text(delivered: tuple[JsonReceiver, SmtpReceiver]) -> None:
    body = _payload(delivered[0], "/markdown")["message"]
    # Every character that would make a link, an image, emphasis or code is backslash-escaped.
    assert "[click here](https://evil.test/phish)" not in body
    assert r"\[click here\]\(https://evil\.test/phish\)" in body
    assert r"\!\[pixel\]" in body and r"\*emphasis\*" in body and r"\`code\`" in body
    # The angle brackets stay, but no tag survives whole: each has an escaped ">" or "=" inside.
    assert MARKDOWN_RAW_TAG.search(body) is None
    assert r"\{\{ 7\*7 \}\}" in body and EVALUATED not in body


def test_html_mail_escapes_the_entry_text(delivered: tuple[JsonReceiver, SmtpReceiver]) -> None:
    mail = delivered[1].wait_for(lambda m: "Prisoner exchange" in m.subject)
    assert "{{ 7*7 }}" in mail.subject and EVALUATED not in mail.subject
    html_parts = [
        part.get_payload(decode=True).decode().replace("&nbsp;", " ")
        for part in mail.message.walk()
        if part.get_content_type() == "text/html"
    ]
    assert html_parts, "an HTML mail was asked for"
    for part in html_parts:
        assert not any(markup in part for markup in RAW_MARKUP)
        assert "&lt;script&gt;" in part and "{{ 7*7 }}" in part
