"""Pydantic models of the rule files: sources, tracked items, alert rules, subscribers, cue lists.

These models are the contract between the rule files and every stage that reads them. Cross-references
(an alert naming an unknown item or state, a subscriber that does not exist) are checked by
``service.rules.checks``, which reports them with the file and line they came from.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from service.rules.durations import Duration
from service.rules.word_patterns import words_source

Severity = Literal["info", "warning", "critical"]
#: The languages Vigil reads (ISO 639-1): English, Ukrainian, Russian.
LanguageCode = Literal["en", "uk", "ru"]
LANGUAGE_CODES: tuple[LanguageCode, ...] = ("en", "uk", "ru")
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}

#: The value a ``date`` item has before any date is announced (and after an announcement is withdrawn).
UNANNOUNCED = "unannounced"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Strict):
    """A news feed to poll."""

    url: str = Field(description="RSS or Atom feed URL (http or https).")
    # validate_default: the default is written as a rule author writes it and must become a timedelta too.
    every: Duration = Field(  # type: ignore[assignment]
        default="10m", validate_default=True, description="Polling interval, e.g. 10m."
    )
    title: str | None = None
    tags: list[str] = Field(default_factory=list)
    language: LanguageCode | None = Field(
        default=None, description="The language of every entry of this feed (en, uk, ru); detected when absent."
    )


class ConfirmPolicy(_Strict):
    """Change state only when this many distinct sources agree within the window."""

    sources: int = Field(default=2, ge=1)
    within: Duration = Field(default="48h", validate_default=True)  # type: ignore[assignment]


class LanguageCues(_Strict):
    """Extra cue phrases of one language, added to Vigil's built-in lists (never replacing them)."""

    negation: list[str] = Field(default_factory=list, description="Phrases that deny the predicate.")
    hedge: list[str] = Field(
        default_factory=list, description="Phrases that make a predicate a proposal, wish or condition."
    )
    pseudo_negation: list[str] = Field(
        default_factory=list, description="Phrases that look negative but are not ('not only')."
    )
    terminators: list[str] = Field(
        default_factory=list, description="Words that end a cue's scope ('but', 'although')."
    )


class CueLists(LanguageCues):
    """Extra English cue phrases at the top, Ukrainian and Russian ones under ``uk:`` and ``ru:``."""

    uk: LanguageCues = Field(default_factory=LanguageCues, description="Ukrainian cue additions.")
    ru: LanguageCues = Field(default_factory=LanguageCues, description="Russian cue additions.")


class WordsPattern(_Strict):
    """A words pattern: the predicate's words in order within one clause, gaps allowed, any form of each word."""

    words: str | list[str] = Field(
        description="'vote ... offer ... {date}': '...' a gap of up to 6 words in the clause; 'a|b' either word; "
                    "'(take place|be held)' either phrase; '[now]' optional; '\"held\"' only as written; "
                    "'!talks' the next word is not 'talks'. Every word matches any of its forms (votes, voted). "
                    "A list of parts is the parts joined by '...'."
    )


#: A pattern: a regex (a string), or a words pattern ({words: ...}), kept as the string "words: ...".
Pattern = Annotated[str, BeforeValidator(words_source, json_schema_input_type=str | WordsPattern)]


class LanguagePatterns(_Strict):
    """An item's patterns in one more language, tried on entries in that language only.

    Each word written plainly matches in any of its forms ("домовилися" also finds "домовились").
    """

    states: dict[str, list[Pattern]] = Field(
        default_factory=dict, description="State name -> patterns (status items); the state may be new."
    )
    set: list[Pattern] = Field(default_factory=list, description="Patterns containing {date} (date items).")
    unset: list[Pattern] = Field(default_factory=list, description="Patterns saying the date is not set (date items).")



class ItemSpec(_Strict):
    """A tracked item: a ``status`` with a finite set of states, or a ``date`` (unannounced or a day)."""

    title: str
    kind: Literal["status", "date"] = "status"
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    scope: list[list[str]] = Field(
        default_factory=list,
        description="Groups of terms; the entry must mention at least one term of every group.",
    )
    # status items
    initial: str = Field(default="none", description="State before any evidence (status items).")
    states: dict[str, list[Pattern]] = Field(
        default_factory=dict,
        description="State name -> patterns (regexes, or {words: ...}) whose match is evidence for it.",
    )
    transitions: dict[str, list[str]] | None = Field(
        default=None, description="Optional allowed transitions: from-state -> list of to-states."
    )
    # date items
    set: list[Pattern] = Field(
        default_factory=list, description="Patterns containing {date} that announce the date (date items)."
    )
    unset: list[Pattern] = Field(
        default_factory=list, description="Patterns saying the date is not (or no longer) set (date items)."
    )
    confirm: ConfirmPolicy | None = None
    cues: CueLists = Field(default_factory=CueLists, description="Item-specific cue additions.")
    languages: dict[Literal["uk", "ru"], LanguagePatterns] = Field(
        default_factory=dict,
        description="Patterns in Ukrainian (uk) and Russian (ru); the patterns above are English.",
    )

    def state_names(self) -> list[str]:
        """Every state a status item names: ``initial``, then those with patterns in any language."""
        return list(dict.fromkeys([self.initial, *self.states,
                                   *(state for patterns in self.languages.values() for state in patterns.states)]))


class AlertCondition(_Strict):
    """Which ``ItemStateChanged`` events an alert rule matches. Every given field must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    item: str | None = None
    items: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="Match items carrying any of these tags.")
    from_: str | None = Field(default=None, alias="from", description="Previous state (status items).")
    to: str | None = Field(default=None, description="New state (status items).")
    date: Literal["set", "changed", "unset", "any"] | None = Field(
        default=None, description="For date items: newly set, changed from one date to another, or unset."
    )


class AlertRule(_Strict):
    """An alert rule: when an item changes as described, render a message and notify subscribers."""

    name: str
    when: AlertCondition = Field(default_factory=AlertCondition)
    min_sources: int = Field(default=1, ge=1, description="Distinct sources that must back the change.")
    throttle: Duration | None = Field(  # type: ignore[assignment]
        default=None, description="No repeat for the same rule and item within this period."
    )
    severity: Severity = "info"
    title: str | None = Field(default=None, description="Jinja template for the title.")
    body: str | None = Field(default=None, description="Jinja template for the body.")
    notify: list[str] = Field(default_factory=list, description="Subscriber names.")
    group: Duration | None = Field(  # type: ignore[assignment]
        default=None,
        description="Send this rule's alerts that come within this window (from the first) to a subscriber as "
        "one message, e.g. 10m (at most 1d); a subscriber's own group window takes precedence.",
    )


class DigestSpec(_Strict):
    """A subscriber's digest: every alert since the last digest, in one message, once a day."""

    at: str = Field(description="Local time of day, HH:MM (24-hour).", examples=["08:00"])
    tz: str = Field(default="UTC", description="IANA time zone the time is in, e.g. Europe/Kyiv.")
    immediate: bool = Field(default=False, description="Also send each alert at once (default: only the digest).")
    when_empty: Literal["skip", "say"] = Field(
        default="skip", description="A day with no alert: send nothing (skip) or a 'no change' message (say)."
    )

    @field_validator("at")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"{value!r} is not a time of day: write HH:MM (24-hour), e.g. 08:00")
        return value

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Kyiv or UTC)") from None
        return value


class SubscriberSpec(_Strict):
    """A named set of apprise URLs, with filters on what it wants to hear about."""

    urls: list[str] = Field(min_length=1, description="apprise URLs; use ${ENV} for secrets.")
    items: list[str] = Field(default_factory=list, description="Only these items (empty: all).")
    tags: list[str] = Field(default_factory=list, description="Only items with one of these tags.")
    min_severity: Severity = "info"
    group: Duration | None = Field(  # type: ignore[assignment]
        default=None,
        description="Send the alerts that come within this window (from the first) as one message, e.g. 10m "
        "(at most 1d); the first waits that long.",
    )
    digest: DigestSpec | None = Field(default=None, description="A daily digest instead of (or as well as) "
                                      "immediate messages.")


class RuleSet(_Strict):
    """Everything the rule files declare, merged across files."""

    sources: dict[str, SourceSpec] = Field(default_factory=dict)
    items: dict[str, ItemSpec] = Field(default_factory=dict)
    alerts: list[AlertRule] = Field(default_factory=list)
    subscribers: dict[str, SubscriberSpec] = Field(default_factory=dict)
    cues: CueLists = Field(default_factory=CueLists)
