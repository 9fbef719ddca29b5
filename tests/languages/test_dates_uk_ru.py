"""Dates in Ukrainian and Russian announcements, read from the publication day (Saturday 7 June 2025):
weekdays in their cases and with their prepositions, "next", today/tomorrow, day and month in the genitive;
ranges, choices, deadlines, weeks and months name no day. Own sentences."""

from __future__ import annotations

import pytest

from tests.languages.rules_fixture import explain, findings


def _date(text: str, language: str) -> set[tuple[str, str]]:
    return {f for f in findings(text, language) if f[0] == "exchange-date"}


@pytest.mark.parametrize(("language", "text", "day"), [
    # weekdays, with prepositions, in their cases
    ("uk", "Обмін відбудеться у понеділок.", "2025-06-09"),
    ("uk", "Обмін відбудеться в понеділок.", "2025-06-09"),
    ("uk", "Обмін відбудеться у середу.", "2025-06-11"),
    ("uk", "Обмін відбудеться в п'ятницю.", "2025-06-13"),
    ("uk", "Обмін відбудеться у суботу.", "2025-06-07"),  # published on a Saturday: that same day
    ("uk", "Обмін відбудеться в неділю.", "2025-06-08"),
    ("uk", "Обмін відбудеться наступного понеділка.", "2025-06-09"),
    ("uk", "Обмін відбудеться у наступний вівторок.", "2025-06-10"),
    ("uk", "Обмін відбудеться наступної суботи.", "2025-06-14"),  # "next" on the same weekday: a week on
    ("ru", "Обмен состоится в понедельник.", "2025-06-09"),
    ("ru", "Обмен состоится во вторник.", "2025-06-10"),
    ("ru", "Обмен состоится в среду.", "2025-06-11"),
    ("ru", "Обмен состоится в пятницу.", "2025-06-13"),
    ("ru", "Обмен состоится в воскресенье.", "2025-06-08"),
    ("ru", "Обмен состоится в следующий понедельник.", "2025-06-09"),
    ("ru", "Обмен состоится в следующую субботу.", "2025-06-14"),
    # today, tomorrow, the day after
    ("uk", "Обмін відбудеться сьогодні.", "2025-06-07"),
    ("uk", "Обмін відбудеться завтра.", "2025-06-08"),
    ("uk", "Обмін відбудеться післязавтра.", "2025-06-09"),
    ("ru", "Обмен состоится сегодня.", "2025-06-07"),
    ("ru", "Обмен состоится завтра.", "2025-06-08"),
    ("ru", "Обмен состоится послезавтра.", "2025-06-09"),
    # a day and a month in the genitive
    ("uk", "Обмін відбудеться 23 травня.", "2025-05-23"),  # recently past: this year's, as in English
    ("uk", "Обмін відбудеться 2 січня.", "2026-01-02"),  # more than a month past: next year's
    ("uk", "Обмін відбудеться 12 червня.", "2025-06-12"),
    ("uk", "Обмін відбудеться 12-го червня.", "2025-06-12"),
    ("uk", "Обмін відбудеться 2 січня 2026 року.", "2026-01-02"),
    ("ru", "Обмен состоится 23 мая.", "2025-05-23"),
    ("ru", "Обмен состоится 2 января.", "2026-01-02"),
    ("ru", "Обмен состоится 12 июня.", "2025-06-12"),
    ("ru", "Обмен состоится 2 января 2026 года.", "2026-01-02"),
    # a weekday with a date: the date decides
    ("uk", "Обмін відбудеться у понеділок, 16 червня.", "2025-06-16"),
    ("ru", "Обмен состоится в понедельник, 16 июня.", "2025-06-16"),
    # a time before the day, and in a few days
    ("uk", "Обмін відбудеться о 10:00 у понеділок.", "2025-06-09"),
    ("ru", "Обмен состоится в 10:00 в понедельник.", "2025-06-09"),
    ("uk", "Обмін відбудеться через два дні.", "2025-06-09"),
    ("ru", "Обмен состоится через неделю.", "2025-06-14"),
])
def test_each_date_form_names_its_day(language: str, text: str, day: str) -> None:
    assert _date(text, language) == {("exchange-date", day)}


@pytest.mark.parametrize(("language", "text", "reason"), [
    ("uk", "Обмін відбудеться у понеділок чи вівторок.", "choice"),
    ("uk", "Обмін відбудеться 12-13 червня.", "range"),
    ("uk", "Обмін відбудеться 12 або 13 червня.", "choice"),
    ("uk", "Обмін відбудеться до п'ятниці.", "deadline"),
    ("uk", "Обмін відбудеться наступного тижня.", "week"),
    ("uk", "Обмін відбудеться у травні.", "month"),
    ("ru", "Обмен состоится в понедельник или во вторник.", "choice"),
    ("ru", "Обмен состоится 12-13 июня.", "range"),
    ("ru", "Обмен состоится до пятницы.", "deadline"),
    ("ru", "Обмен состоится на следующей неделе.", "week"),
    ("ru", "Обмен состоится в мае.", "month"),
])
def test_ranges_choices_deadlines_weeks_and_months_name_no_day(language: str, text: str, reason: str) -> None:
    assert _date(text, language) == set()
    [veto] = [v for r in explain(text, language) for v in r.vetoes if v.item == "exchange-date"]
    assert veto.guard == "date"


@pytest.mark.parametrize(("language", "text"), [
    ("uk", "Дату обміну не оголошено."),
    ("ru", "Дата обмена не объявлена."),
])
def test_a_date_not_yet_announced_keeps_it_unannounced(language: str, text: str) -> None:
    assert _date(text, language) == {("exchange-date", "unannounced")}


@pytest.mark.parametrize(("language", "text"), [
    ("uk", "Обмін не відбудеться у понеділок."),
    ("uk", "Обмін, можливо, відбудеться у понеділок."),
    ("ru", "Обмен не состоится в понедельник."),
    ("ru", "Обмен, возможно, состоится в понедельник."),
])
def test_a_denied_or_hedged_date_is_no_announcement(language: str, text: str) -> None:
    assert _date(text, language) == set()
