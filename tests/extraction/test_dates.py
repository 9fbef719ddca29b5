"""Reading the day a `{date}` span names, relative to the entry's publication."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from service.extraction.dates import parse_announced_date

SATURDAY = datetime(2025, 6, 7, 11, 0, tzinfo=UTC)  # Saturday 7 June 2025


def day(span: str, published: datetime = SATURDAY) -> date | None:
    """The day ``span`` names when published at ``published`` (None: no single day)."""
    found = parse_announced_date(span, published)
    return found.day if found else None


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("on Monday", date(2025, 6, 9)),
        ("MONDAY", date(2025, 6, 9)),
        ("Monday, officials said", date(2025, 6, 9)),
        ("at 7 a.m. on Monday", date(2025, 6, 9)),  # the time is skipped, the day is read
        ("next Friday", date(2025, 6, 13)),
        ("Sunday night", date(2025, 6, 8)),
        ("tomorrow", date(2025, 6, 8)),
        ("tomorrow morning", date(2025, 6, 8)),
        ("today", date(2025, 6, 7)),
        ("tonight", date(2025, 6, 7)),
        ("the day after tomorrow", date(2025, 6, 9)),
        ("9 June", date(2025, 6, 9)),
        ("on 9 June", date(2025, 6, 9)),
        ("June 9th", date(2025, 6, 9)),
        ("June 20th, Ukraine said", date(2025, 6, 20)),
        ("Sept. 9", date(2025, 9, 9)),
        ("the 14th of June and", date(2025, 6, 14)),
        ("2025-06-30", date(2025, 6, 30)),
        ("9 June 2026 at noon", date(2026, 6, 9)),
        ("June 9, 2026", date(2026, 6, 9)),
        ("at 10:00 on 9 June", date(2025, 6, 9)),
        ("on 9 June and 12 prisoners will be freed", date(2025, 6, 9)),  # "and 12 prisoners" is no range
        ("Monday, 16 June", date(2025, 6, 16)),  # an explicit date beats the weekday
        ("Monday 9-11 a.m.", date(2025, 6, 9)),  # hours, not a range of days
        ("Monday, 10 to 12 GMT, officials said", date(2025, 6, 9)),
        ("Monday 09:00-11:00 local time", date(2025, 6, 9)),
        ("Tuesday, June 10", date(2025, 6, 10)),
        ("5 June", date(2025, 6, 5)),  # two days ago: this year's, not next year's
    ],
)
def test_a_span_that_names_a_day(span: str, expected: date) -> None:
    assert day(span) == expected


@pytest.mark.parametrize(
    "span",
    [
        # words dateparser would read as a date that is not there
        "may", "may meet again", "six weeks", "7 a.m.", "at 7 a.m.", "the coming days",
        "in the coming days", "soon, officials said", "mid-June", "end of June", "June", "June 2026", "next week",
        "last Monday", "31 June",
        # a range, a choice or a deadline names no single day
        "Monday or Tuesday", "on Monday and Tuesday", "from Monday to Wednesday", "Monday-Tuesday",
        "June 12 or 13", "12 or 13 June", "12-13 June", "between 12 and 14 June", "by Friday", "today or tomorrow",
        "Monday 9-11 June", "Monday 9-11",  # days of June; days, or hours without a unit: no single day
        # numeric forms are ambiguous (9 June or 6 September?)
        "09/06/2025", "9.06.2025",
    ],
)
def test_a_span_that_names_no_single_day(span: str) -> None:
    assert day(span) is None


def test_monday_announced_on_a_saturday_is_the_following_monday() -> None:
    assert day("on Monday") == date(2025, 6, 9)


def test_the_publication_weekday_means_that_same_day_and_next_means_a_week_later() -> None:
    assert day("on Saturday") == date(2025, 6, 7)
    assert day("next Saturday") == date(2025, 6, 14)


def test_every_weekday_lies_within_the_week_from_the_publication_day() -> None:
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    for offset in range(7):  # published on each day of one week
        published = SATURDAY + timedelta(days=offset)
        for name in names:
            found = day(f"on {name}", published)
            assert found is not None and found.strftime("%A") == name
            assert 0 <= (found - published.date()).days < 7


def test_a_weekday_counts_from_the_publication_day_in_its_own_time_zone() -> None:
    late_saturday_in_kyiv = datetime(2025, 6, 7, 23, 30, tzinfo=timezone(timedelta(hours=3)))
    assert day("on Sunday", late_saturday_in_kyiv) == date(2025, 6, 8)
    early_sunday_in_kyiv = datetime(2025, 6, 8, 1, 30, tzinfo=timezone(timedelta(hours=3)))  # Saturday in UTC
    assert day("tomorrow", early_sunday_in_kyiv) == date(2025, 6, 9)


def test_a_day_and_month_long_past_means_next_year() -> None:
    assert day("2 January", datetime(2025, 12, 20, tzinfo=UTC)) == date(2026, 1, 2)
    assert day("Jan 2", datetime(2025, 12, 28, tzinfo=UTC)) == date(2026, 1, 2)


def test_a_day_and_month_just_past_at_new_year_is_last_year() -> None:
    assert day("31 December", datetime(2026, 1, 2, tzinfo=UTC)) == date(2025, 12, 31)


def test_relative_days_roll_over_the_year() -> None:
    assert day("tomorrow", datetime(2025, 12, 31, 18, tzinfo=UTC)) == date(2026, 1, 1)
    assert day("on Friday", datetime(2025, 12, 29, tzinfo=UTC)) == date(2026, 1, 2)


def test_the_span_reports_how_much_of_it_named_the_day() -> None:
    found = parse_announced_date("on Monday if the weather allows", SATURDAY)
    assert found is not None and "on Monday if the weather allows"[found.end:].strip() == "if the weather allows"
    found = parse_announced_date("9 June at the border crossing", SATURDAY)
    assert found is not None and "9 June at the border crossing"[:found.end] == "9 June"


@pytest.mark.parametrize("span", ["June 12-13 in Istanbul", "June 12 or 13 in Istanbul", "June 12 to 14 at the border"])
def test_a_month_first_range_followed_by_more_words_names_no_single_day(span: str) -> None:
    assert day(span) is None


@pytest.mark.parametrize(
    "span",
    [
        "June 12th-13th", "June 12 - 13", "June 12/13", "June 12 and 13 in Istanbul", "June 12 and 13.",
        "12-13 June in Istanbul", "12th-13th June", "12 June or 13 June at the border",
        # a weekday before a range or choice of days does not make it one day
        "Monday, June 12 or 13", "Monday, 12-13 June", "Monday 12 or Tuesday 13 June",
        "Monday 12 June or Tuesday 13 June", "Monday, June 12-13 in Istanbul",
    ],
)
def test_a_range_or_choice_of_days_in_either_order_names_no_single_day(span: str) -> None:
    assert day(span) is None


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("on June 9 and 12 prisoners will be freed", date(2025, 6, 9)),  # "and 12 prisoners" is no range
        ("June 9 until 14:00", date(2025, 6, 9)),  # a clock time is no second day
        ("June 9 to 5 p.m.", date(2025, 6, 9)),
        ("Monday 9 a.m.", date(2025, 6, 9)),
    ],
)
def test_a_number_after_a_day_that_is_no_second_day_keeps_the_day(span: str, expected: date) -> None:
    assert day(span) == expected


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("early Monday", date(2025, 6, 9)),
        ("late Sunday", date(2025, 6, 8)),
        ("late on Sunday, officials said", date(2025, 6, 8)),
        ("early on Monday", date(2025, 6, 9)),
        ("on early Monday morning", date(2025, 6, 9)),
        ("early 16 June", date(2025, 6, 16)),
    ],
)
def test_early_or_late_on_a_day_is_that_day(span: str, expected: date) -> None:
    assert day(span) == expected


@pytest.mark.parametrize("span", ["late June", "early next week", "late last night", "early Monday or Tuesday"])
def test_early_or_late_before_no_single_day_is_still_no_day(span: str) -> None:
    assert day(span) is None


def test_early_or_late_leaves_the_span_end_after_the_day() -> None:
    found = parse_announced_date("late Sunday, officials said", SATURDAY)
    assert found is not None and "late Sunday, officials said"[:found.end] == "late Sunday"


@pytest.mark.parametrize(
    ("span", "published", "expected"),
    [
        ("on the 14th", SATURDAY, date(2025, 6, 14)),  # the next 14th after publication
        ("the 5th", SATURDAY, date(2025, 7, 5)),  # this month's 5th is past: next month's
        ("on the 7th", SATURDAY, date(2025, 6, 7)),  # the publication day itself, as for "on Saturday"
        ("the 31st in Istanbul", SATURDAY, date(2025, 7, 31)),  # June has no 31st
        ("the 2nd", datetime(2025, 12, 20, tzinfo=UTC), date(2026, 1, 2)),
    ],
)
def test_a_day_of_the_month_alone_is_the_next_such_day(span: str, published: datetime, expected: date) -> None:
    assert day(span, published) == expected


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("in two days", date(2025, 6, 9)),
        ("in 10 days at the border", date(2025, 6, 17)),
        ("in three weeks' time", date(2025, 6, 28)),
        ("in a week", date(2025, 6, 14)),
    ],
)
def test_in_so_many_days_or_weeks_is_a_day_counted_from_publication(span: str, expected: date) -> None:
    assert day(span) == expected


@pytest.mark.parametrize(
    ("span", "why"),
    [
        ("by Friday", "deadline"),
        ("in two months", "longer period"),
        ("next week", "a week"),
        ("mid-June", "part of one"),
        ("12-13 June", "range or a choice"),
        ("on the 14th or 15th", "range or a choice"),
    ],
)
def test_a_form_that_names_no_day_gives_nothing_and_says_why(span: str, why: str) -> None:
    from service.extraction.dates import no_day_reason

    assert day(span) is None
    assert why in no_day_reason(span)


def test_explain_shows_why_a_date_match_names_no_day() -> None:
    from service.extraction.extractor import Extractor
    from service.extraction.types import EntryText
    from service.rules.models import RuleSet

    rules = RuleSet.model_validate({"items": {"talks-date": {
        "title": "Talks", "kind": "date", "set": ["talks (will|would) (be held|take place) {date}"]}}})
    entry = EntryText("wire", "g", "", "", "The talks will take place in two months.", SATURDAY)
    vetoes = [v for report in Extractor(rules).explain(entry) for v in report.vetoes]
    assert [(v.guard, v.value) for v in vetoes] == [("date", "(no day)")]
    assert "longer period" in vetoes[0].reason
