"""``${VAR}`` references: expanded at load everywhere except subscriber URLs, which keep them (secrets)."""

from __future__ import annotations

import pytest

from service.rules.env import UnsetVariableError, expand, references
from tests.rules.conftest import EXAMPLE, EXAMPLE_ENV, RuleDir


def test_references_are_listed_once_in_order() -> None:
    assert references("${B}/${A:-x}/${B}/$${NOT_A_REFERENCE}/$HOME") == ["B", "A"]


def test_expand_fills_values_defaults_and_escapes() -> None:
    env = {"HOST": "example.org", "EMPTY": ""}

    assert expand("https://${HOST}/feed", env) == "https://example.org/feed"
    assert expand("${PORT:-8080} ${EMPTY:-fallback} [${EMPTY}]", env) == "8080 fallback []"
    assert expand("literal $${HOST} and $5", env) == "literal ${HOST} and $5"


def test_expand_names_the_variable_that_is_missing() -> None:
    with pytest.raises(UnsetVariableError, match="environment variable TOKEN is not set") as failure:
        expand("json://host/?token=${TOKEN}", {})

    assert failure.value.name == "TOKEN"


def test_variables_the_operator_names_are_expanded_at_load_elsewhere(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "feeds.yaml",
        """\
        sources:
          wire: {url: "https://${FEED_HOST}/rss", every: "${POLL:-15m}", title: "${DESK:-Kyiv} desk"}
        """,
    )

    env = {"FEED_HOST": "news.example.org", "DESK": "Odesa", "VIGIL_RULE_VARIABLES": "POLL, DESK"}
    source = rule_dir.load(env=env).rules.sources["wire"]

    assert source.url == "https://news.example.org/rss"
    assert source.every.total_seconds() == 15 * 60
    assert source.title == "Odesa desk"


def test_an_unset_variable_is_reported_at_its_reference(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "feeds.yaml",
        """\
        sources:
          wire: {url: "https://${FEED_HOST}/rss", title: '${DESK} / ${REGION}'}
        """,
    )

    assert rule_dir.errors(env={"REGION": "east", "VIGIL_RULE_VARIABLES": "DESK,REGION"}) == [
        "feeds.yaml:2:24: environment variable FEED_HOST is not set",
        "feeds.yaml:2:51: environment variable DESK is not set",
    ]


def test_subscriber_urls_keep_their_references_so_secrets_stay_out_of_the_rules(rule_dir: RuleDir) -> None:
    rule_dir.write("istanbul.yaml", EXAMPLE)

    loaded = rule_dir.load(env=EXAMPLE_ENV)
    other_secret = rule_dir.load(env={"ANALYSTS_URL": "json://elsewhere/?token=other"})

    assert loaded.rules.subscribers["analysts"].urls == ["${ANALYSTS_URL}"]
    assert "s3cret" not in loaded.rules.model_dump_json()
    assert other_secret.hash == loaded.hash


def test_subscriber_url_variables_must_still_be_set_or_have_a_default(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "people.yaml",
        """\
        subscribers:
          analysts: {urls: ["${ANALYSTS_URL}"]}
          desk:
            urls:
              - "${DESK_URL:-json://localhost/desk}"
              - mailto://${MAIL_USER}@example.org
              - ${EMPTY_URL}
        """,
    )

    assert rule_dir.errors(env={"EMPTY_URL": ""}) == [
        "people.yaml:2:22: environment variable ANALYSTS_URL is not set",
        "people.yaml:6:18: environment variable MAIL_USER is not set",
        "people.yaml:7:9: environment variable EMPTY_URL is empty",
    ]
    env = {"ANALYSTS_URL": "json://a", "MAIL_USER": "me", "EMPTY_URL": "json://e"}
    assert rule_dir.load(env=env).rules.subscribers["desk"].urls == [
        "${DESK_URL:-json://localhost/desk}",
        "mailto://${MAIL_USER}@example.org",
        "${EMPTY_URL}",
    ]


def test_a_variable_outside_a_url_is_refused_unless_the_operator_names_it(rule_dir: RuleDir) -> None:
    # ${VIGIL_API_TOKEN} in an item's title once appeared on the unauthenticated dashboard, Atom and API.
    rule_dir.write(
        "items.yaml",
        """\
        items:
          leak:
            title: "Token ${VIGIL_API_TOKEN}"
            states: {on: [switched on]}
        """,
    )

    assert rule_dir.errors(env={"VIGIL_API_TOKEN": "tok-5ecret-value"}) == [
        "items.yaml:3:19: ${VIGIL_API_TOKEN} is not expanded here: environment variables fill only source and "
        "subscriber URLs (where secrets belong); list it in VIGIL_RULE_VARIABLES to use it elsewhere"
    ]
    named = rule_dir.load(env={"VIGIL_API_TOKEN": "x", "VIGIL_RULE_VARIABLES": "VIGIL_API_TOKEN"})
    assert named.rules.items["leak"].title == "Token x"
