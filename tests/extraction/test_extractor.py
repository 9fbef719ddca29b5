"""The Extractor as the pipeline uses it: findings per entry, explanations per sentence, scope, dates, limits."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.extraction.extractor import Extractor
from service.extraction.types import EntryText, Finding
from service.rules.loader import load_rules
from service.rules.models import RuleSet

ROOT = Path(__file__).resolve().parents[2]
SATURDAY = datetime(2025, 6, 7, 11, tzinfo=UTC)


@pytest.fixture(scope="module")
def istanbul() -> Extractor:
    return Extractor(load_rules([ROOT / "rules" / "istanbul-talks.yaml"]).rules)


def entry(text: str, title: str = "", published: datetime = SATURDAY) -> EntryText:
    return EntryText("wire", "guid-1", "https://news.test/1", title, text, published)


def values(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.item, f.value) for f in findings]


def test_several_items_in_one_entry_each_with_its_own_sentence(istanbul: Extractor) -> None:
    findings = istanbul.extract(entry(
        "<p>Ukraine and Russia agreed to a new prisoner exchange on Monday.</p>"
        "<p>The talks ended without a ceasefire agreement.</p>"
        "<p>The date of the exchange has not yet been announced.</p>"))
    assert values(findings) == [("prisoner-exchange", "agreed"), ("exchange-date", "unannounced")]
    assert findings[0].sentence == "Ukraine and Russia agreed to a new prisoner exchange on Monday."
    assert "agree" in findings[0].pattern


def test_monday_announced_on_a_saturday_is_the_ninth(istanbul: Extractor) -> None:
    text = "Officials in Kyiv and Moscow said the prisoner exchange will take place on Monday."
    findings = istanbul.extract(entry(text))
    assert values(findings) == [("exchange-date", "2025-06-09")]


def test_expected_in_the_coming_days_is_no_date_and_explain_says_why(istanbul: Extractor) -> None:
    text = "The prisoner exchange between Ukraine and Russia is expected to take place in the coming days."
    assert istanbul.extract(entry(text)) == []
    vetoes = [v for report in istanbul.explain(entry(text)) for v in report.vetoes]
    assert {(v.item, v.guard) for v in vetoes} == {("exchange-date", "date")}
    assert "in the coming days" in vetoes[0].cue


def test_a_ceasefire_in_gaza_is_out_of_scope_and_explain_names_what_is_missing(istanbul: Extractor) -> None:
    assert istanbul.extract(entry("A ceasefire in Gaza took effect overnight, mediators said.")) == []
    # in a round-up that also mentions Kyiv and Moscow, the rules refuse "ceasefire in Gaza" themselves
    assert istanbul.extract(entry("Kyiv and Moscow traded blame. A ceasefire in Gaza took effect overnight.")) == []
    text = "The ceasefire took effect overnight, mediators in Cairo said."
    assert istanbul.extract(entry(text)) == []
    [veto] = [v for report in istanbul.explain(entry(text)) for v in report.vetoes]
    assert (veto.item, veto.value, veto.guard) == ("ceasefire", "in_effect", "scope")
    assert "ukraine" in veto.cue and "never mentions" in veto.reason


def test_scope_counts_the_title_and_whole_words_only(istanbul: Extractor) -> None:
    text = "The ceasefire took effect at midnight."
    assert values(istanbul.extract(entry(text, title="Russia and Ukraine: the latest"))) == [("ceasefire", "in_effect")]
    assert istanbul.extract(entry(text, title="Prussian and Ukrainiana: the latest")) == []


def test_explain_reports_every_sentence_and_extract_is_its_deduplicated_findings(istanbul: Extractor) -> None:
    text = ("Kyiv and Moscow agreed to a truce. Nothing else happened. Kyiv and Moscow agreed to a truce. "
            "Russia and Ukraine agreed to a ceasefire, and Ukraine and Russia agreed on a ceasefire.")
    reports = istanbul.explain(entry(text))
    assert [r.sentence for r in reports][1] == "Nothing else happened."
    assert len(reports) == 4 and reports[1].findings == [] and reports[1].vetoes == []
    findings = istanbul.extract(entry(text))
    # one finding per (item, value, sentence): the repeated sentence once, two matches in one sentence once
    assert values(findings) == [("ceasefire", "agreed"), ("ceasefire", "agreed")]
    assert len({f.sentence for f in findings}) == 2
    assert {(f.item, f.value, f.sentence) for r in reports for f in r.findings} == {
        (f.item, f.value, f.sentence) for f in findings}


def test_extraction_is_pure_and_thread_safe(istanbul: Extractor) -> None:
    entries = [entry(f"Ukraine and Russia exchanged {n} prisoners on Friday. The prisoner exchange will take "
                     f"place on Monday.", published=datetime(2025, 6, 1 + n % 20, 9, tzinfo=UTC)) for n in range(40)]
    alone = [values(istanbul.extract(e)) for e in entries]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda e: values(istanbul.extract(e)), entries))
    assert together == alone and alone[0][0] == ("prisoner-exchange", "completed")


def test_a_catastrophic_pattern_is_time_boxed_and_reported_not_hung() -> None:
    # (a|aa)* passes the load-time check (no repeat inside the repeated group) but is exponential.
    rules = RuleSet.model_validate({"items": {
        "slow": {"title": "Slow", "states": {"on": ["(a|aa)*b"]}},
        "fine": {"title": "Fine", "states": {"on": ["talks began"]}},
    }})
    started = time.monotonic()
    reports = Extractor(rules).explain(entry("a" * 60 + "c b. The talks began."))
    assert time.monotonic() - started < 5
    vetoes = [v for r in reports for v in r.vetoes]
    assert vetoes and vetoes[0].guard == "timeout" and vetoes[0].item == "slow"
    assert [(f.item, f.value) for r in reports for f in r.findings] == [("fine", "on")]  # the rest still runs


def test_items_without_scope_apply_to_every_entry_and_empty_text_finds_nothing() -> None:
    extractor = Extractor(RuleSet.model_validate({"items": {"x": {"title": "X", "states": {"on": ["talks began"]}}}}))
    assert values(extractor.extract(entry("The talks began."))) == [("x", "on")]
    assert extractor.extract(entry("")) == [] and extractor.explain(entry("  ")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kyiv and Moscow said the prisoner exchange will take place early Monday.", "2025-06-09"),
        ("Kyiv and Moscow said the prisoner exchange will take place late on Sunday.", "2025-06-08"),
    ],
)
def test_early_or_late_on_a_weekday_announces_that_day(istanbul: Extractor, text: str, expected: str) -> None:
    assert values(istanbul.extract(entry(text))) == [("exchange-date", expected)]


def test_a_month_first_range_of_days_is_no_announced_date(istanbul: Extractor) -> None:
    text = "Kyiv and Moscow said the prisoner exchange will take place June 12-13 in Istanbul."
    assert istanbul.extract(entry(text)) == []
    vetoes = [v for report in istanbul.explain(entry(text)) for v in report.vetoes]
    assert {(v.item, v.guard) for v in vetoes} == {("exchange-date", "date")}


def _turkish_talks() -> Extractor:
    return Extractor(RuleSet.model_validate({"items": {"talks": {
        "title": "Talks in Türkiye", "scope": [["türkiye", "istanbul"]],
        "states": {"resumed": ["talks (in|at) (türkiye|istanbul) resumed"]}}}}))


@pytest.mark.parametrize(
    "text", ["TALKS IN TÜRKİYE RESUMED.", "Talks in İstanbul resumed.", "talks in istanbul resumed."]
)
def test_a_turkish_capital_letter_is_in_scope_and_matched(text: str) -> None:
    assert values(_turkish_talks().extract(entry(text))) == [("talks", "resumed")]


def test_scope_names_the_missing_terms_as_the_author_spelled_them() -> None:
    extractor = Extractor(RuleSet.model_validate({"items": {"talks": {
        "title": "T", "scope": [["Türkiye", "İzmir"]], "states": {"resumed": ["talks resumed"]}}}}))
    assert values(extractor.extract(entry("Talks resumed in IZMIR."))) == [("talks", "resumed")]
    [veto] = [v for r in extractor.explain(entry("Talks resumed in Ankara.")) for v in r.vetoes]
    assert veto.guard == "scope" and veto.cue == "Türkiye / İzmir"


def test_an_entry_that_outlasts_its_time_budget_is_reported_skipped_for_the_items_left_unread() -> None:
    # Built without `vigil check` (which refuses the pattern): each of 2,000 sentences costs a timeout.
    rules = RuleSet.model_validate({"items": {
        "slow": {"title": "Slow", "states": {"on": ["(a|aa)+b"]}},
        "fine": {"title": "Fine", "states": {"on": ["talks began"]}},
    }})
    text = "The talks began. " + " ".join(["A" + "a" * 50 + "c b."] * 2000) + " Then talks began in Rome."
    extraction = Extractor(rules, budget=0.5).read(entry(text))
    assert [(f.item, f.value) for f in extraction.findings] == [("fine", "on")]  # found before time ran out
    assert sorted(skipped.item for skipped in extraction.skipped) == ["fine", "slow"]
    assert all("time budget (0.5s) ran out at sentence" in skipped.reason and "of 2002" in skipped.reason
               for skipped in extraction.skipped)


def test_a_pattern_timing_out_on_a_sentence_is_reported_not_dropped_silently() -> None:
    rules = RuleSet.model_validate({"items": {"slow": {"title": "Slow", "states": {"on": ["(a|aa)*b"]}}}})
    extraction = Extractor(rules).read(entry("a" * 60 + "c b."))
    [skipped] = extraction.skipped
    assert skipped.item == "slow" and "'(a|aa)*b' took longer than" in skipped.reason
