"""Semantic checks after validation: each problem at the node the author has to change."""

from __future__ import annotations

from service.rules.models import RuleSet
from tests.rules.conftest import RuleDir

ITEMS = """\
items:
  ceasefire:
    title: Ceasefire
    tags: [war]
    states:
      agreed: [agreed to a ceasefire]
      collapsed: [ceasefire collapsed]
  exchange-date:
    title: Date of the exchange
    kind: date
    set: ['exchange will take place on {date}']
subscribers:
  analysts: {urls: ['json://localhost/analysts']}
"""


def test_status_items_need_states_known_transitions_and_no_date_patterns(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "status.yaml",
        """\
        items:
          ceasefire:
            title: Ceasefire
            scope: [[ukraine, ' '], []]
            states:
              agreed: [agreed to a ceasefire]
            transitions: {none: [agreed, colapsed], agred: [none]}
            set: ['on {date}']
          empty:
            title: Nothing to track
        """,
    )

    assert rule_dir.errors() == [
        "status.yaml:4:23: scope term is empty",
        "status.yaml:4:29: scope group is empty: list at least one term",
        "status.yaml:7:34: unknown state 'colapsed' of item 'ceasefire'; expected one of: none, agreed",
        "status.yaml:7:45: unknown state 'agred' of item 'ceasefire' (did you mean 'agreed'?)",
        "status.yaml:8:5: 'set' is for date items: add 'kind: date', or put the patterns under 'states'",
        "status.yaml:9:3: status item 'empty' needs at least one state under 'states'",
    ]


def test_date_items_need_set_patterns_and_no_states(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "dates.yaml",
        """\
        items:
          exchange-date:
            title: Date of the exchange
            kind: date
            initial: none
            states: {announced: [announced]}
            transitions: {}
            unset: ['the date is {date}']
        """,
    )

    assert rule_dir.errors() == [
        "dates.yaml:2:3: date item 'exchange-date' needs at least one 'set' pattern containing {date}",
        "dates.yaml:5:5: a date item starts unannounced: remove 'initial'",
        "dates.yaml:6:5: a date item has no 'states': its value is a date, announced by 'set' patterns "
        "and withdrawn by 'unset' patterns",
        "dates.yaml:7:5: 'transitions' is for status items",
        "dates.yaml:8:26: {date} is only allowed in the 'set' patterns of a date item",
    ]


def test_alert_rules_must_name_items_states_and_subscribers_that_exist(rule_dir: RuleDir) -> None:
    rule_dir.write("items.yaml", ITEMS)
    rule_dir.write(
        "alerts.yaml",
        """\
        alerts:
          - name: changed
            when: {item: cesefire}
          - name: changed
            when: {item: ceasefire, from: none, to: agred}
            notify: [analyst, desk]
          - name: date-as-state
            when: {item: exchange-date, to: agreed}
          - name: state-as-date
            when: {item: ceasefire, date: set}
          - name: tagged
            when: {tags: [war, peace], to: collapsed}
          - name: anything
            when: {to: nowhere}
          - name: both
            when: {items: [ceasefire, exchange-date], to: agreed, date: set}
            notify: [analysts]
        """,
    )

    assert rule_dir.errors() == [
        "alerts.yaml:3:18: unknown item 'cesefire' (did you mean 'ceasefire'?)",
        "alerts.yaml:4:11: alert 'changed' is already defined at alerts.yaml:2:11",
        "alerts.yaml:5:45: 'agred' is not a state of item 'ceasefire' (did you mean 'agreed'?)",
        "alerts.yaml:6:14: unknown subscriber 'analyst' (did you mean 'analysts'?)",
        "alerts.yaml:6:23: unknown subscriber 'desk'; expected one of: analysts",
        "alerts.yaml:8:37: 'to' is for status items, and item 'exchange-date' is not one: "
        "use 'date: set|changed|unset|any'",
        "alerts.yaml:10:35: 'date' is for date items, and item 'ceasefire' is not one: "
        "use 'from' and 'to' for status items",
        "alerts.yaml:12:24: no item has the tag 'peace'",
        "alerts.yaml:14:16: 'nowhere' is not a state of any item; expected one of: none, agreed, collapsed",
    ]


def test_alert_templates_must_parse(rule_dir: RuleDir) -> None:
    rule_dir.write("items.yaml", ITEMS)
    rule_dir.write(
        "alerts.yaml",
        """\
        alerts:
          - name: changed
            when: {item: ceasefire}
            title: "{{ item_title }"
            body: |
              {{ item_title }} is now {{ to_value }}.
              {% for link in links %}{{ link }}
        """,
    )

    assert rule_dir.errors() == [
        "alerts.yaml:4:13: template syntax error: unexpected '}'",
        "alerts.yaml:7:7: template syntax error: Unexpected end of template. Jinja was looking for the "
        "following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.",
    ]


def test_sources_must_be_http_and_subscribers_must_name_known_items(rule_dir: RuleDir) -> None:
    rule_dir.write("items.yaml", ITEMS)
    rule_dir.write(
        "more.yaml",
        """\
        sources:
          ftp-feed: {url: "ftp://example.org/feed"}
          relative: {url: /feed.xml}
          fine: {url: "HTTPS://example.org/rss"}
        subscribers:
          desk: {urls: ['json://localhost/desk'], items: [ceasefire, truce]}
        """,
    )

    assert rule_dir.errors() == [
        "more.yaml:2:19: source 'ftp-feed': url must be an http:// or https:// address",
        "more.yaml:3:19: source 'relative': url must be an http:// or https:// address",
        "more.yaml:6:62: unknown item 'truce'; expected one of: ceasefire, exchange-date",
    ]


def test_a_page_source_needs_a_selector_the_page_parser_reads(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "pages.yaml",
        """\
        sources:
          mfa:
            kind: page
            url: https://example.org/statements
            selector: "div.statement["
          embassy:
            kind: page
            url: https://example.org/news
          wire:
            url: https://example.org/feed.xml
            selector: article
          briefings:
            kind: page
            url: https://example.org/briefings
            selector: "main article.briefing"
            websub: true
        """,
    )

    assert rule_dir.errors() == [
        "pages.yaml:5:15: source 'mfa': selector 'div.statement[': not a valid CSS selector",
        "pages.yaml:6:3: source 'embassy' is a page and needs a 'selector' (the CSS selector of its blocks, "
        "e.g. article)",
        "pages.yaml:11:5: source 'wire': 'selector' is for web pages: add 'kind: page'",
        "pages.yaml:16:5: source 'briefings': websub is for feeds (a hub announces a feed's changes, not a page's)",
    ]


def test_a_subscribers_group_window_is_from_one_second_to_one_day(rule_dir: RuleDir) -> None:
    rule_dir.write("rules.yaml", """\
        subscribers:
          desk: {urls: ['json://localhost/desk'], group: 2d}
          night: {urls: ['json://localhost/night'], group: 10m}
        items:
          talks: {title: Talks, states: {held: [talks were held]}}
        alerts:
          - {name: talks-news, when: {item: talks}, group: 0s}
        """)
    assert rule_dir.errors() == ["rules.yaml:2:50: group must be from 1s to 1d (got 172800s)",
                                 "rules.yaml:7:52: group must be from 1s to 1d (got 0s)"]
    schema = RuleSet.model_json_schema()["$defs"]
    assert "group" in schema["SubscriberSpec"]["properties"] and "group" in schema["AlertRule"]["properties"]


def test_a_subscribers_digest_needs_a_time_of_day_and_a_known_zone(rule_dir: RuleDir) -> None:
    rule_dir.write("rules.yaml", """\
        subscribers:
          a: {urls: ['json://localhost/a'], digest: {at: '8am', tz: Europe/Kyiv}}
          b: {urls: ['json://localhost/b'], digest: {at: '08:00', tz: Europe/Kiyv}}
          c: {urls: ['json://localhost/c'], digest: {at: '08:00', tz: Europe/Kyiv, when_empty: say}}
        """)
    errors = rule_dir.errors()
    assert len(errors) == 2
    assert errors[0].startswith("rules.yaml:2:") and "'8am' is not a time of day: write HH:MM" in errors[0]
    assert errors[1].startswith("rules.yaml:3:") and "unknown time zone 'Europe/Kiyv'" in errors[1]
