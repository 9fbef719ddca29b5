"""Dates in Ukrainian and Russian ``{date}`` spans, read relative to the entry's publication time.

``dateparser`` reads some Russian weekdays but nothing of "у понеділок" or "наступного понеділка", so
these forms are read here, by the same choices as English (``dates.py``):
- a weekday in any case, with or without its preposition ("у понеділок", "в понедельник", "в среду",
  "у середу") is the next such day on or after the publication day; "наступного понеділка",
  "у наступний понеділок", "в следующий понедельник" is the same, but a week on when published on a Monday;
- "сьогодні", "завтра", "післязавтра"; "сегодня", "завтра", "послезавтра";
- a day and a month in the genitive ("23 травня", "23 мая", "23-го травня", "23 травня 2026 року"),
  this year's unless more than a month past; a weekday before it ("у понеділок, 9 червня") lets the date
  decide;
- "через два дні", "через тиждень", "через три дня", "через неделю": whole days from the publication day.
A range or a choice ("12-13 червня", "у понеділок чи вівторок", "в понедельник или вторник"), a deadline
("до п'ятниці", "до пятницы"), a week or a month ("наступного тижня", "у травні", "в мае") names no day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from service.extraction.announced import RECENT_PAST, AnnouncedDate

_APOSTROPHE = "['\u2019\u02bc]?"
#: Each weekday's stem in every case (Monday first).
_WEEKDAY_STEMS = {
    "uk": ("понеділ", "вівтор", "серед", "четвер", f"п{_APOSTROPHE}ятниц", "субот", "неділ"),
    "ru": ("понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень"),
}
_MONTHS = {
    "uk": ("січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня",
           "листопада", "грудня"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"),
}
_RELATIVE = {
    "uk": {"сьогодні": 0, "сьогодні ввечері": 0, "завтра": 1, "післязавтра": 2},
    "ru": {"сегодня": 0, "сегодня вечером": 0, "завтра": 1, "послезавтра": 2},
}
#: "next" and "this" before a weekday, in the cases they take.
_NEXT = {"uk": r"наступн\w*|найближч\w*|цього|цієї|цей|цю", "ru": r"следующ\w*|ближайш\w*|этот|эту|в этот|в эту"}
_OR_WORDS = {"uk": "або|чи|та|і|й", "ru": "или|либо|и"}
_OR = {language: rf"(?:{words}|-|–|/)" for language, words in _OR_WORDS.items()}
_LEADING = {
    "uk": re.compile(r"(?:(?:у|в|на|о|об|з|зі)\s+\d{1,2}[:.]\d{2}(?:\s+за\s+київським\s+часом)?,?\s+|(?:у|в|на)\s+"
                     r"|(?:рано|пізно|ввечері|вранці|зранку|вдень)\s+)+", re.I),
    "ru": re.compile(r"(?:(?:в|во|на|с|со)\s+\d{1,2}[:.]\d{2}(?:\s+по\s+московскому\s+времени)?,?\s+|(?:в|во|на)\s+"
                     r"|(?:рано|поздно|вечером|утром|днем|днём)\s+)+", re.I),
}
_COUNT_WORDS = {"один": 1, "одну": 1, "два": 2, "дві": 2, "две": 2, "три": 3, "чотири": 4, "четыре": 4,
                "п'ять": 5, "пять": 5, "шість": 6, "шесть": 6, "сім": 7, "семь": 7, "десять": 10}
_IN_COUNT = re.compile(r"через\s+(?:(?P<count>\d{1,3}|[\w']+)\s+)?(?P<unit>дн\w*|день|тиж\w*|недел\w*|тижден\w*)\b",
                       re.I)
_NO_DAY = {
    "uk": ((re.compile(r"до\s", re.I), "a deadline ('до ...') is not the day itself"),
           (re.compile(r"(?:наступного|цього|минулого)\s+(?:тижня|місяця|року)|(?:на|у|в)\s+(?:наступному|цьому)\s+"
                       r"(?:тижні|місяці|році)|найближчим\s+часом", re.I),
            "a week, a month or a year names no single day"),
           (re.compile(r"(?:у|в)\s+(?:січні|лютому|березні|квітні|травні|червні|липні|серпні|вересні|жовтні|"
                       r"листопаді|грудні)", re.I), "a month names no single day")),
    "ru": ((re.compile(r"до\s", re.I), "a deadline ('до ...') is not the day itself"),
           (re.compile(r"(?:на\s+)?(?:следующей|этой|прошлой)\s+неделе|в\s+(?:следующем|этом)\s+(?:месяце|году)|"
                       r"в\s+ближайшее\s+время", re.I), "a week, a month or a year names no single day"),
           (re.compile(r"в\s+(?:январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|"
                       r"декабре)", re.I), "a month names no single day")),
}


def parse_slavic_date(span: str, published: datetime, language: str) -> AnnouncedDate | None:
    """The calendar day a Ukrainian or Russian ``span`` names, counted from ``published``; None when it
    names no single day (see the module doc)."""
    leading = _LEADING[language].match(span)
    offset = leading.end() if leading else 0
    base = published.date()
    if re.match(rf"\d{{1,2}}\s*{_OR[language]}\s*\d", span[offset:], re.I):
        return None  # "12-13 червня", "12 або 13 червня"
    day_month = _day_month(span, offset, base, language)
    if day_month is not None:
        return day_month
    weekday = _weekday(span, offset, language)
    if weekday is not None:
        index, is_next, end = weekday
        rest = span[end:]
        if re.match(r",?\s*\d{1,2}(?:-го|-е)?\s+\w+", rest):  # "у понеділок, 9 червня": the date decides
            return _day_month(span, end + len(rest) - len(rest.lstrip(", ")), base, language)
        if _choice(rest, language):
            return None
        ahead = (index - base.weekday()) % 7
        if ahead == 0 and is_next:
            ahead = 7
        return AnnouncedDate(base + timedelta(days=ahead), end)
    for word, days in sorted(_RELATIVE[language].items(), key=lambda pair: -len(pair[0])):
        if re.match(rf"{word}\b", span[offset:], re.I):
            end = offset + len(word)
            return None if _choice(span[end:], language) else AnnouncedDate(base + timedelta(days=days), end)
    counted = _IN_COUNT.match(span, offset)
    if counted:
        count = (counted.group("count") or "1").lower().replace("\u2019", "'")
        number = int(count) if count.isdigit() else _COUNT_WORDS.get(count)
        if number is not None:
            week = counted.group("unit").lower().startswith(("тиж", "недел"))
            return AnnouncedDate(base + timedelta(days=number * (7 if week else 1)), counted.end())
    return None


def slavic_no_day_reason(span: str, language: str) -> str:
    """Why a Ukrainian or Russian ``span`` names no single calendar day, in words for ``vigil explain``."""
    for form, reason in _NO_DAY.get(language, ()):
        if form.search(span):
            return f"'{span}' names no single calendar day: {reason}"
    if re.search(r"\d\s*(?:-|–|/)\s*\d", span) or re.search(rf"\s{_OR[language]}\s", span):
        return f"'{span}' names no single calendar day: a range or a choice of days names no single day"
    return f"'{span}' names no single calendar day"


def _weekday(span: str, offset: int, language: str) -> tuple[int, bool, int] | None:
    """(weekday index, whether "next" was said, end of the weekday's word) at ``offset``."""
    found = re.match(rf"(?:(?P<next>{_NEXT[language]})\s+)?(?P<day>[\w'\u2019\u02bc]+)", span[offset:], re.I)
    if not found:
        return None
    word = found.group("day").lower()
    for index, stem in enumerate(_WEEKDAY_STEMS[language]):
        if re.fullmatch(stem + r"\w*", word):
            is_next = (found.group("next") or "").lower()[:3] in ("нас", "сле")
            return index, is_next, offset + found.end()
    return None


def _choice(rest: str, language: str) -> bool:
    """"... чи вівторок", "... или во вторник": another day offered after the first."""
    return bool(re.match(rf"\s*,?\s*{_OR[language]}\s+(?:(?:у|в|во|на)\s+)?\w", rest, re.I))


def _day_month(span: str, offset: int, base: date, language: str) -> AnnouncedDate | None:
    months = "|".join(_MONTHS[language])
    found = re.match(rf"(?P<day>\d{{1,2}})(?:-?го|-е)?\s+(?P<month>{months})\b(?:\s+(?P<year>\d{{4}})"
                     r"(?:\s+(?:року|р\.|года|г\.))?)?", span[offset:], re.I)
    if not found or _choice(span[offset + found.end():], language):
        return None
    month = _MONTHS[language].index(found.group("month").lower()) + 1
    day = int(found.group("day"))
    years = [int(found.group("year"))] if found.group("year") else [base.year, base.year + 1]
    for year in years:
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if found.group("year") or candidate >= base - RECENT_PAST:
            end = offset + found.end()
            return AnnouncedDate(candidate, len(span[:end].rstrip(" ,.")))
    return None
