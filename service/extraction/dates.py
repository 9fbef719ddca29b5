"""Dates in a matched ``{date}`` span, read relative to the entry's publication time.

Only the span a pattern captured is read, never the whole text, and only forms that name one day:
a weekday ("on Monday", "next Friday", "Monday, 16 June"), "today"/"tomorrow", or a day with a month
("9 June", "June 9th", "the 9th of June", "2025-06-09"), optionally after a time or a part of the day
("at 10:00 on 9 June", "early Monday", "late on Sunday").
dateparser alone finds dates that are not there ("may meet" -> May, "at 7 a.m." -> July, "six weeks"
-> a date), so a span must first look like one of those forms; a range or a choice ("Monday or
Tuesday", "12-13 June", "June 12-13 in Istanbul", "by Friday") names no single day and gives nothing.

Choices, documented because news copy is ambiguous:
- A weekday is the next such day on or after the publication day, counted in the publication's own
  time zone: "on Monday" published on Saturday 7 June 2025 is 9 June; "on Saturday" published on a
  Saturday is that same day (wire copy says "on Saturday" of today), and "next Saturday" the week after.
- "the 14th" (a day of the month alone) is the next 14th on or after the publication day: "on the 14th"
  published on 7 June is 14 June, published on 20 June it is 14 July. A month without that day (the 31st
  in June) is skipped.
- "in two days", "in three weeks' time", "in a week" count whole days from the publication day; "in two
  months" or "next week" name a period, not a day, and give nothing (the veto says why).
- A day and month without a year is the first such day from a month before publication on: "set for
  14 June" published 7 June is 14 June this year, "set for 5 June" (already past, but recent) is also this
  year, and "2 January" published in December is next year's.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import dateparser

from service.extraction.announced import RECENT_PAST, AnnouncedDate
from service.extraction.dates_slavic import parse_slavic_date, slavic_no_day_reason

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_NAMES = "|".join(_WEEKDAYS)
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_LEADING = re.compile(
    r"(?:(?:on|for|from|as)\s+"  # "by Friday" is a deadline, not the day, so "by" is not skipped
    r"|at\s+\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?|gmt|utc|cet|cest|eet|eest|msk|local time)?,?\s+"
    r"|at\s+(?:noon|midnight|dawn|dusk),?\s+"
    r"|(?:early|late)\s+)+",  # "early Monday", "late on Sunday": the part of the day, not another day
    re.I,
)
_WEEKDAY = re.compile(rf"(?:(?P<next>next|this|coming)\s+)?(?P<day>{_WEEKDAY_NAMES})\b,?\s*", re.I)
_RELATIVE = re.compile(r"(?P<word>today|tonight|tomorrow|the day after tomorrow)\b", re.I)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "thirty": 30}
_IN_COUNT = re.compile(
    rf"in\s+(?P<count>\d{{1,3}}|{'|'.join(_NUMBERS)})\s+(?P<unit>days?|weeks?)(?:'s?)?(?:\s+time)?\b", re.I)
_ORDINAL_DAY = re.compile(r"the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?[A-Za-z]+\s*\d)", re.I)
#: Forms that name a period, a deadline, a range or a choice rather than a day: why a span gives nothing.
_NO_DAY_FORMS = (
    (re.compile(r"(?:by|before|until|till)\s", re.I), "a deadline ('by ...') is not the day itself"),
    (re.compile(rf"(?:in|within)\s+(?:\w+\s+)?(?:months?|years?|(?:{_MONTHS})\b)", re.I),
     "a month or a longer period names no single day"),
    (re.compile(r"(?:(?:next|this|coming|last)\s+(?:week|month|year)|later\s+this|early\s+next|"
                r"(?:mid|late|early)[- ](?:\w+))", re.I), "a week, a month or part of one names no single day"),
    (re.compile(r"\d{1,2}\s*(?:-|/|to|and|or)\s*\d|\w+\s+(?:or|and)\s+\w+", re.I),
     "a range or a choice of days names no single day"),
)
_DAY_MONTH = re.compile(
    rf"(?:(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:{_MONTHS})\b"
    rf"|(?P<month_first>(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b)"
    r"|\d{4}-\d{2}-\d{2}\b)",
    re.I,
)
# What follows a day when it is one end of a range or one of a choice: "Monday or Tuesday", "12-13 June".
_CHOICE = re.compile(
    rf"\s*(?:or|to|and|-|/|until|till|through)\s*"
    rf"(?:(?:{_WEEKDAY_NAMES}|{_MONTHS}|today|tonight|tomorrow)\b"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+(?:of\s+)?(?:{_MONTHS})\b|\s*(?:[,.;)]|$)))",
    re.I,
)
# After a month-first day another bare day ends a range or a choice, whatever follows it: "June 12-13 in
# Istanbul", "June 12 or 13". A clock time is no second day ("June 9 until 14:00", "to 5 p.m."), and "and"
# may join something else ("on June 9 and 12 prisoners ..."): after "and" the second day must end the
# phrase or lead to a place or time.
_MORE_DAYS = re.compile(
    r"\s*(?:(?:-|/|or|to|until|till|through)\s*\d{1,2}(?:st|nd|rd|th)?\b(?![:.]\d|\s*[ap]\.?m\b)"
    r"|and\s+\d{1,2}(?:st|nd|rd|th)?(?:\s*(?:[,;)]|\.(?!\d)|$)|\s+(?:in|at|on)\b))",
    re.I,
)
# Hours after a weekday are no range of days: "Monday 9-11 a.m.", "Monday, 10 to 12 GMT".
_CLOCK_RANGE = re.compile(
    r"\d{1,2}(?:[:.]\d{2})?\s*(?:-|–|to|until|till)\s*\d{1,2}(?:[:.]\d{2})?\s*"
    r"(?:a\.?m\b|p\.?m\b|gmt|utc|cet|cest|eet|eest|msk|local time|hours\b|h\b)",
    re.I,
)
_YEAR = re.compile(r",?\s+\d{4}\b")
_RANGE_START = re.compile(r"\d{1,2}\s*(?:-|/|to|and|or)\s*\d", re.I)
_BARE_DAY = re.compile(r"\d{1,2}(?:st|nd|rd|th)?\b", re.I)
_TOKEN = re.compile(r"\S+")
_SETTINGS = {
    "PREFER_DATES_FROM": "future",
    "REQUIRE_PARTS": ["day", "month"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}
def parse_announced_date(span: str, published: datetime, language: str = "en") -> AnnouncedDate | None:
    """The calendar day ``span`` names, counted from ``published``; None when it names no single day.
    Ukrainian and Russian spans are read by ``dates_slavic``."""
    if language in ("uk", "ru"):
        return parse_slavic_date(span, published, language)
    leading = _LEADING.match(span)
    offset = leading.end() if leading else 0
    if _RANGE_START.match(span, offset):
        return None
    base = published.date()
    weekday = _WEEKDAY.match(span, offset)
    if weekday:
        day_range = _RANGE_START.match(span, weekday.end()) and not _CLOCK_RANGE.match(span, weekday.end())
        if _DAY_MONTH.match(span, weekday.end()) or day_range:
            return _day_month(span, weekday.end(), published)  # "Monday, 16 June": the date decides
        after_name = offset + len(weekday.group(0).rstrip(", "))
        bare_day = _BARE_DAY.match(span, weekday.end())  # "Monday 12 or Tuesday 13 June"
        if _CHOICE.match(span, bare_day.end() if bare_day else after_name):
            return None
        ahead = (_WEEKDAYS.index(weekday.group("day").lower()) - base.weekday()) % 7
        if ahead == 0 and (weekday.group("next") or "").lower() == "next":
            ahead = 7
        return AnnouncedDate(base + timedelta(days=ahead), after_name)
    counted = _IN_COUNT.match(span, offset)
    if counted:
        count = counted.group("count").lower()
        days = int(count) if count.isdigit() else _NUMBERS[count]
        days *= 7 if counted.group("unit").lower().startswith("week") else 1
        return AnnouncedDate(base + timedelta(days=days), counted.end())
    if not _DAY_MONTH.match(span, offset):
        ordinal = _ORDINAL_DAY.match(span, offset)
        if ordinal:
            return None if _CHOICE.match(span, ordinal.end()) else _next_day_of_month(ordinal, base)
    relative = _RELATIVE.match(span, offset)
    if relative:
        word = " ".join(relative.group("word").lower().split())
        days = {"today": 0, "tonight": 0, "tomorrow": 1}.get(word, 2)
        if _CHOICE.match(span, relative.end()):
            return None
        return AnnouncedDate(base + timedelta(days=days), relative.end())
    return _day_month(span, offset, published)


def _day_month(span: str, offset: int, published: datetime) -> AnnouncedDate | None:
    form = _DAY_MONTH.match(span, offset)
    if not form or _CHOICE.match(span, form.end()):
        return None  # no day and month, or "12 June or 13 June"
    if form.group("month_first") and _MORE_DAYS.match(span, form.end()):
        return None  # "June 12-13 in Istanbul"
    year = _YEAR.match(span, form.end())
    tokens = list(_TOKEN.finditer(span, offset, year.end() if year else form.end()))
    settings = {**_SETTINGS, "RELATIVE_BASE": published.replace(tzinfo=None) - RECENT_PAST}
    # Only the words of the form itself (and a year right after it) are read: "9 June at the border"
    # is parsed as "9 June". Trim from the right until dateparser reads the words left as a day.
    shortest = len(_TOKEN.findall(form.group(0)))
    for size in range(len(tokens), shortest - 1, -1):
        candidate = span[offset:tokens[size - 1].end()].rstrip(",.;")
        parsed = dateparser.parse(candidate, languages=["en"], settings=settings)
        if parsed is not None:
            return AnnouncedDate(parsed.date(), offset + len(candidate))
    return None


def _next_day_of_month(ordinal: re.Match[str], base: date) -> AnnouncedDate | None:
    """"The 14th": the next 14th on or after ``base`` (months without that day skipped)."""
    wanted = int(ordinal.group("day"))
    if not 1 <= wanted <= 31:
        return None
    year, month = base.year, base.month
    for _ in range(13):
        try:
            day = date(year, month, wanted)
        except ValueError:
            day = None
        if day is not None and day >= base:
            return AnnouncedDate(day, ordinal.end())
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def no_day_reason(span: str, language: str = "en") -> str:
    """Why ``span`` names no single calendar day, in words for ``vigil explain``."""
    if language in ("uk", "ru"):
        return slavic_no_day_reason(span, language)
    leading = _LEADING.match(span)
    rest = span[leading.end() if leading else 0:]
    for form, reason in _NO_DAY_FORMS:
        if form.match(rest) or (form.pattern.startswith(r"\d") and form.search(rest)):
            return f"'{span}' names no single calendar day: {reason}"
    return f"'{span}' names no single calendar day"
