"""The extractor: every sentence of an entry, judged against every tracked item that could apply.

For each sentence it reports findings (evidence that an item has a value) and vetoes (a pattern
matched, but scope, a cue, the date or the time limit said no), which ``vigil explain`` prints.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import regex

from service.extraction import lemmas, word_forms
from service.extraction.cues import CueSet, build_cues
from service.extraction.dates import AnnouncedDate, no_day_reason, parse_announced_date
from service.extraction.guards import Predicate, judge
from service.extraction.pattern_words import pattern_words
from service.extraction.prefilter import Prefilter
from service.extraction.scope import Mentions, ScopeIndex
from service.extraction.sentences import split_sentences
from service.extraction.text import normalise, strip_html
from service.extraction.types import EntryText, Extraction, Finding, SentenceReport, Skipped, Veto
from service.extraction.word_forms import expand_pattern
from service.rules.models import UNANNOUNCED, ItemSpec, LanguagePatterns, RuleSet
from service.rules.patterns import MATCH_TIMEOUT, CompiledPattern, compile_pattern
from service.rules.word_patterns import Forms, is_words_pattern

#: Shown as the value of a vetoed date match whose span names no day.
NO_DAY = "(no day)"
#: Seconds extraction may spend on one entry, all its sentences and patterns together.
ENTRY_SECONDS = 5.0
#: When an entry's scope terms point at no more items than this, only their patterns are tried.
NARROW_ITEMS = 32


@dataclass(frozen=True)
class _Evidence:
    """One pattern of one item in one language, and the value its match is evidence for (None: the {date}
    it captures)."""

    item: str
    value: str | None
    pattern: CompiledPattern
    own_words: frozenset[str]
    language: str = "en"


def _evidence_of(item_id: str, spec: ItemSpec) -> list[_Evidence]:
    def evidence(value: str | None, source: str, date: bool, language: str) -> _Evidence:
        if is_words_pattern(source):  # its words are expanded into their forms as it compiles
            pattern = compile_pattern(source, date=date, forms=_forms_in(language))
            return _Evidence(item_id, value, pattern, pattern.spelled or frozenset(), language)
        # Ukrainian and Russian words match in any of their forms: the pattern is expanded before it is
        # compiled, and keeps the author's text as its source (what explain and the evidence show).
        compiled = compile_pattern(expand_pattern(source, language), date=date)
        return _Evidence(item_id, value, replace(compiled, source=source), pattern_words(source), language)

    blocks: list[tuple[str, ItemSpec | LanguagePatterns]] = [("en", spec), *spec.languages.items()]
    if spec.kind == "date":
        return [found for language, block in blocks
                for found in ([evidence(None, p, True, language) for p in block.set]
                              + [evidence(UNANNOUNCED, p, False, language) for p in block.unset])]
    return [evidence(state, p, False, language) for language, block in blocks
            for state, patterns in block.states.items() for p in patterns]


def _forms_in(language: str) -> Forms:
    """Where a words pattern's words get their forms: Ukrainian and Russian from their morphology (a verb in
    its own tense only), other languages from the lemma dictionary."""
    if language in word_forms.INFLECTED:
        return lambda word: word_forms.forms(word, language)
    return lambda word: lemmas.forms(word, language)


class _EntryScope:
    """What one entry is about: each item's missing scope group, worked out once and only when needed, and
    (when scope narrows the entry to a few items) the only patterns worth trying."""

    def __init__(self, index: ScopeIndex, mentions: Mentions, among: frozenset[int] | None) -> None:
        self._index = index
        self._mentions = mentions
        self._missing: dict[str, str | None] = {}
        self.among = among

    def missing(self, item: str) -> str | None:
        """The first scope group of ``item`` the entry never mentions (None: in scope)."""
        if item not in self._missing:
            self._missing[item] = self._index.missing(item, self._mentions)
        return self._missing[item]


class Extractor:
    """Compiled once per rule set; ``extract`` and ``explain`` are pure and thread-safe."""

    def __init__(self, rules: RuleSet, *, budget: float = ENTRY_SECONDS) -> None:
        self._budget = budget
        self._evidence: list[_Evidence] = []
        self._cues: dict[tuple[str, str], CueSet] = {}
        shared: dict[tuple[str, str], CueSet] = {}  # items with the same cue additions share one compiled set
        for item_id, spec in rules.items.items():
            self._evidence.extend(_evidence_of(item_id, spec))
            for language in ("en", *spec.languages):
                key = (spec.cues.model_dump_json(), language)
                if key not in shared:
                    shared[key] = build_cues(rules.cues, spec.cues, language=language)
                self._cues[(item_id, language)] = shared[key]
        self._scope = ScopeIndex({item_id: spec.scope for item_id, spec in rules.items.items()})
        self._prefilter = Prefilter([e.pattern.regex.pattern for e in self._evidence],
                                    [e.pattern.needs for e in self._evidence])
        indexes: dict[str, list[int]] = {item_id: [] for item_id in rules.items}
        for index, evidence in enumerate(self._evidence):
            indexes[evidence.item].append(index)
        self._patterns_of = {item_id: frozenset(found) for item_id, found in indexes.items()}

    def sentences(self, entry: EntryText) -> list[str]:
        """The entry's title and text as normalised sentences, title first."""
        return [*split_sentences(normalise(strip_html(entry.title)), entry.language),
                *split_sentences(normalise(strip_html(entry.text)), entry.language)]

    def might_match(self, entry: EntryText) -> bool:
        """Whether any pattern could match the entry: a keyword of one is in its raw title or text (a
        quick, conservative test on the unsplit text, for callers that scan many entries)."""
        return self.might_match_text(entry.title, entry.text)

    def might_match_text(self, title: str, text: str) -> bool:
        """``might_match`` on a recorded entry's raw title and text, before it is made an ``EntryText``
        (its language detected): a scan of thousands of entries skips that work for most of them."""
        return bool(self._prefilter.unfiltered) or bool(self._prefilter.candidates(f"{title}\n{text}"))

    def extract(self, entry: EntryText) -> list[Finding]:
        """The evidence in an entry, in reading order (``read``'s findings)."""
        return self.read(entry).findings

    def read(self, entry: EntryText) -> Extraction:
        """The evidence in an entry, in reading order (one finding per item, value and sentence), and the
        items whose patterns could not read all of it in time, each with the reason.

        The whole entry has ``budget`` seconds: a hostile entry (thousands of sentences on which a
        pattern backtracks) must not hold the pipeline for minutes. Sentences are judged in order until
        the budget is spent; what was found before stands, and every item left unread is reported.
        """
        deadline = time.monotonic() + self._budget
        sentences = self.sentences(entry)
        scope = self._entry_scope(sentences, narrow=True)
        seen: set[tuple[str, str, str]] = set()
        findings: list[Finding] = []
        timeouts: dict[str, list[str]] = {}
        skipped: list[Skipped] = []
        for number, sentence in enumerate(sentences):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                skipped = [Skipped(item, f"the entry's time budget ({self._budget:g}s) ran out at sentence "
                                         f"{number + 1} of {len(sentences)}: the rest was not read for this item")
                           for item in self._items_in(scope, sentences[number:])]
                break
            report = self._judge(sentence, entry, scope, explain=False, timeout=min(MATCH_TIMEOUT, remaining))
            for veto in report.vetoes:
                if veto.guard == "timeout":
                    timeouts.setdefault(veto.item, []).append(veto.pattern)
            for finding in report.findings:
                key = (finding.item, finding.value, finding.sentence)
                if key not in seen:
                    seen.add(key)
                    findings.append(finding)
        unread = {record.item for record in skipped}
        skipped += [Skipped(item, f"pattern {patterns[0]!r} took longer than {MATCH_TIMEOUT}s on {len(patterns)} "
                                  "sentence(s), which were not read for this item (simplify it)")
                    for item, patterns in timeouts.items() if item not in unread]
        return Extraction(findings, skipped)

    def _items_in(self, scope: _EntryScope, unread: list[str]) -> list[str]:
        """The items in scope with a pattern that would have been tried on an ``unread`` sentence (the
        keyword prefilter is cheap, so those a budget cut short are named exactly)."""
        tried: set[int] = set()
        for sentence in unread:
            tried.update(self._prefilter.candidates(sentence, scope.among))
        items = dict.fromkeys(self._evidence[index].item for index in sorted(tried))
        return [item for item in items if scope.missing(item) is None]

    def explain(self, entry: EntryText) -> list[SentenceReport]:
        """Every sentence, with each pattern that matched it: accepted as a finding, or vetoed and why."""
        sentences = self.sentences(entry)
        scope = self._entry_scope(sentences, narrow=False)
        return [self._judge(sentence, entry, scope, explain=True) for sentence in sentences]

    def _entry_scope(self, sentences: list[str], *, narrow: bool) -> _EntryScope:
        mentions = self._scope.mentions(" ".join(sentences))
        among = None
        items = self._scope.candidate_items(mentions, NARROW_ITEMS) if narrow else None
        if items is not None:  # few items: try only their patterns (else the keywords decide)
            among = frozenset().union(*(self._patterns_of[item] for item in items
                                        if self._scope.missing(item, mentions) is None))
        return _EntryScope(self._scope, mentions, among)

    def _judge(self, sentence: str, entry: EntryText, scope: _EntryScope, *, explain: bool,
               timeout: float = MATCH_TIMEOUT) -> SentenceReport:
        report = SentenceReport(sentence=sentence)
        for index in self._prefilter.candidates(sentence, scope.among):
            evidence = self._evidence[index]
            if evidence.language != entry.language:
                continue  # a pattern reads entries of its own language only
            missing = scope.missing(evidence.item)
            if missing is not None and not explain:
                continue  # extraction need not even run the patterns of an item the entry is not about
            try:
                end = _content_end(sentence) if evidence.pattern.anchored_end else len(sentence)
                match = evidence.pattern.regex.search(sentence, 0, end, timeout=timeout)
            except TimeoutError:
                report.vetoes.append(self._veto(evidence, evidence.value or NO_DAY, sentence, "timeout", "",
                                                f"the pattern took longer than {MATCH_TIMEOUT}s on this sentence "
                                                "and was given up (simplify it)"))
                continue
            if match is not None:
                try:
                    self._judge_match(report, evidence, match, entry, missing, timeout)
                except TimeoutError:
                    report.vetoes.append(self._veto(evidence, NO_DAY, sentence, "timeout", "",
                                                    f"the pattern took longer than {MATCH_TIMEOUT}s on this "
                                                    "sentence and was given up (simplify it)"))
        return report

    def _judge_match(self, report: SentenceReport, evidence: _Evidence, match: regex.Match[str],
                     entry: EntryText, missing: str | None, timeout: float) -> None:
        sentence = report.sentence
        value, end, after = evidence.value, match.end(), match.end()
        if value is None:
            day = _day_in(match, evidence.pattern, entry, timeout)
            if day is None:
                report.vetoes.append(self._veto(evidence, NO_DAY, sentence, "date", match.group("date"),
                                                no_day_reason(match.group("date"), entry.language)))
                return
            announced, date_start = day
            value = announced.day.isoformat()
            # The date's own words ("May 9", "Monday or ...") are no cue; what follows them may be one.
            end, after = date_start, date_start + announced.end
        if missing is not None:
            report.vetoes.append(self._veto(evidence, value, sentence, "scope", missing,
                                            f"the entry never mentions any of: {missing}"))
            return
        predicate = Predicate(match.start(), end, after, evidence.own_words, announces_date=evidence.value is None)
        verdict = judge(sentence, predicate, self._cues[(evidence.item, evidence.language)], entry.published.year)
        if verdict is not None:
            report.vetoes.append(self._veto(evidence, value, sentence, verdict.guard, verdict.cue, verdict.reason))
            return
        report.findings.append(Finding(evidence.item, value, sentence, evidence.pattern.source))

    @staticmethod
    def _veto(evidence: _Evidence, value: str, sentence: str, guard: str, cue: str, reason: str) -> Veto:
        return Veto(evidence.item, value, sentence, evidence.pattern.source, guard, cue, reason)


_WORD_START = regex.compile(r"(?<![\w'’-])\w")
#: What closes a sentence after its last word: "... on Monday." or "... called off!\"".
_CLOSING = regex.compile(r"[.!…]+[\"'’”)\]]*\s*$")


def _content_end(sentence: str) -> int:
    """Where the sentence's words end: before its closing full stop (so ``$`` anchors a body sentence)."""
    closing = _CLOSING.search(sentence)
    return closing.start() if closing else len(sentence)


def _day_in(match: regex.Match[str], pattern: CompiledPattern, entry: EntryText,
            timeout: float) -> tuple[AnnouncedDate, int] | None:
    """The day a date pattern's match names, and where its words start: the ``{date}`` span the match
    captured, else (a free-word part before ``{date}`` took words of the day) the longest span from an
    earlier word of the match (a later one, after a gap of a words pattern, which is as short as it can be)
    that the pattern also allows and that names a day."""
    announced = parse_announced_date(match.group("date"), entry.published, entry.language)
    if announced is not None:
        return announced, match.start("date")
    split = pattern.date_split
    if split is None:
        return None
    sentence, start = match.string, match.start()
    for word in _WORD_START.finditer(sentence, start):
        if word.start() == match.start("date"):
            continue
        if split.before.fullmatch(sentence, start, word.start(), timeout=timeout) is None:
            continue
        rest = split.rest.match(sentence, word.start(), timeout=timeout)
        if rest is None:
            continue
        announced = parse_announced_date(rest.group("date"), entry.published, entry.language)
        if announced is not None:
            return announced, word.start()
    return None
