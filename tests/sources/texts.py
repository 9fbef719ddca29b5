"""Fixture stories for the sources tests (invented; no real reporting is quoted)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.feedserver import FixtureItem

HARBOUR_TALKS = FixtureItem(
    title="Harbour talks adjourn for the weekend",
    text="<p>Delegations in Portvale agreed to meet again on <b>Tuesday</b>; no timetable was set.</p>",
    link="https://wire.example/harbour-talks",
    guid="wire-1001",
    published=datetime(2025, 6, 7, 9, 30, tzinfo=UTC),
)
GRAIN_CORRIDOR = FixtureItem(
    title="Grain corridor inspections resume",
    text="Inspectors returned to the northern checkpoint after a two-day pause.",
    link="https://wire.example/grain-corridor",
    guid="wire-1002",
    published=datetime(2025, 6, 7, 11, 0, tzinfo=UTC),
)
DETAINEE_LISTS = FixtureItem(
    title="Detainee lists exchanged through mediators",
    text="Both sides handed over names; officials said the handover date would follow.",
    link="https://wire.example/detainee-lists",
    guid="wire-1003",
    published=datetime(2025, 6, 8, 7, 15, tzinfo=UTC),
)



#: The tracked item of the end-to-end tests: a prisoner exchange between Ukraine and Russia agreed.
EXCHANGE_ITEM = """\
items:
  exchange:
    title: Prisoner exchange
    scope: [[ukraine, kyiv], [russia, moscow]]
    initial: none
    states:
      agreed: ['agreed (to|on) (a|an) (new )?prisoner (exchange|swap)']
"""
#: ``EXCHANGE_ITEM`` with an alert on it, sent to ``{hook}`` (format the text; its YAML braces are doubled).
EXCHANGE_RULES = EXCHANGE_ITEM + """\
alerts:
  - name: exchange-news
    when: {{item: exchange}}
subscribers:
  ops: {{urls: ["{hook}"]}}
"""
