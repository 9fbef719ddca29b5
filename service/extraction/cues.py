"""Vigil's built-in English cue lists, and the merged, compiled lists an item is judged with.

Ukrainian and Russian lists are in ``cues_uk.py`` and ``cues_ru.py``; in those languages each word of
four letters or more of a cue phrase (built-in or a rule file's) matches in any of its forms.
Rule files extend these lists (``cues:`` at the top level and per item, ``uk:`` and ``ru:`` inside for
those languages); they never replace them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType

import ahocorasick

from service.extraction import cues_ru, cues_uk
from service.extraction.folding import fold_keeping_length
from service.extraction.word_forms import INFLECTED, forms
from service.rules.models import CueLists, LanguageCues

#: Cue words that reach only their object, a word or two on (guards.OBJECT_WINDOW_WORDS). Stopping what goes on:
#: "stopped paying dividends", "halted trading", "stalled the treaty"; what such a verb stops with a determiner
#: was going on ("the truce stopped the shelling").
STOPPING = ("stop", "stops", "stopped", "stopping", "halt", "halts", "halted", "halting", "cease", "ceases",
            "ceased", "ceasing", "forestall", "forestalled", "stalled", "suspended", "suspends", "suspend")
#: Delays and cancellations (negations of their object): "postponed the prisoner exchange", "cancelled its visit".
DELAYING = ("delayed", "delays", "delay", "delaying", "delay in", "delays in", "delay of", "postponed", "postpones",
            "postpone", "postponing", "postponement of", "cancelled", "canceled", "cancels", "cancel", "cancelling",
            "canceling", "cancellation of", "scrapped", "scraps", "scrap", "called off", "calls off", "call off",
            "shelved", "shelves")
#: Opposition, requests, goals and eagerness (hedges of their object): "families who oppose the exchange", "a
#: letter asking for the release", "the goal of a lasting truce", "keen on a deal".
WANTING = ("oppose", "opposes", "opposed", "opposing", "opposition to", "ask for", "asks for", "asked for",
           "asking for", "request for", "requests for", "requested", "requesting", "looking for", "look for",
           "looks for", "goal of", "keen to", "keen on", "keen for", "eager to", "eager for")
#: Words that deny the predicate that follows them.
NEGATION = (
    "no", "not", "never", "none", "nothing", "without", "neither", "nor", "cannot", "can't", "won't",
    "didn't", "doesn't", "don't", "hasn't", "haven't", "hadn't", "isn't", "wasn't", "weren't", "aren't",
    "couldn't", "wouldn't", "failed to", "fails to", "fail to", "failing to", "failed", "fails", "refused to",
    "refuses to",
    "refusing to", "refused", "denied", "denies", "deny", "denying", "ruled out", "rules out", "rule out",
    "rejected", "rejects", "rejecting", "dismissed", "stopped short of", "short of", "fell short of",
    "far from", "no sign of", "absence of", "lack of", "instead of", "rather than", "yet to", "not yet",
    # "no longer" denies what follows ("the truce is no longer in force"); a rule that wants the
    # opposite state writes it into its own pattern ("no longer holds" -> collapsed), where it is no cue.
    "no longer", "unable to", "there is no", "there was no", "did not", "has not", "have not yet", "nobody",
    "no-one", "no one",
    # Prevention: what is prevented, averted or fended off did not happen ("to prevent his return",
    # "fend off a takeover bid", "stop exports from leaving").
    "prevent", "prevents", "prevented", "preventing", "avert", "averts", "averted", "averting", "avoid",
    "avoids", "avoided", "avoiding", "fend off", "fended off", "fending off", "ward off", "warded off",
    "barred", "from leaving", "from reaching", "from entering", "from making", "from taking",
    # Bans and impossibility: "prohibited from organising a bid", "made it impossible for the convoy to enter".
    "prohibited from", "banned from", "blocked from", "impossible", "impossible to", "refrain from",
    "refrains from", "refrained from", "refraining from", "forbidden to", "forbidden from", "forbade", "forbids",
    *STOPPING, *DELAYING,
)
#: Negations that follow the predicate within a few words ("the deal ... was not signed", "... fell through").
#: Bare "not" is left out on purpose: "agreed on a truce, not a peace deal" denies nothing.
NEGATION_AFTER = (
    "has not", "have not", "had not", "was not", "were not", "is not", "are not", "did not", "does not",
    "hasn't", "haven't", "wasn't", "weren't", "isn't", "didn't", "not yet", "yet to", "was denied",
    "were denied", "denied", "fell through", "never materialised", "never materialized",
    # Negation of the report after it: "rumours that the order was lifted are false".
    "are false", "is false", "was false", "were false", "is untrue", "was untrue", "wrongly reported",
    "falsely reported", "was wrong", "were wrong",
)
#: Proposals, wishes, possibilities, conditions and reports of talk: a predicate under one is not a fact.
#: "will" is deliberately absent: "will take place on Monday" is a firm announcement.
HEDGE = (
    "could", "may", "might", "would", "should", "possible", "possibly", "potential", "potentially",
    "likely", "unlikely", "probably", "perhaps", "expected to", "expects to", "expect", "expects",
    "expecting", "hope", "hopes", "hoped", "hoping", "hopeful", "aim", "aims", "aimed at", "aiming", "seek",
    "seeks", "sought", "seeking", "want", "wants", "wanted", "plan", "plans", "planned", "planning",
    "intend", "intends", "intended", "ready to", "willing to", "prepared to", "open to", "in favour of",
    "in favor of", "push for", "pushed for", "pushes for", "pushing for", "call for", "called for",
    "calls for", "calling for", "urge", "urged", "urges", "urging", "propose", "proposed", "proposes",
    "proposing", "proposal", "proposals", "proposal for", "demand", "demanded", "demands", "demanding",
    "offer", "offered", "offers", "offering", "suggest", "suggested", "suggests", "discuss", "discussed",
    "discusses", "discussing", "discussion of", "talks on", "talk of", "negotiate", "negotiating",
    "negotiations on", "consider", "considered", "considering", "considers", "mull", "mulled", "weigh",
    "weighing", "if", "unless", "provided that", "providing that", "as long as",
    "whether", "in case", "in exchange for", "on condition", "subject to", "did not rule out",
    "does not rule out", "do not rule out", "not ruled out", "not rule out", "conditional on",
    "conditions for", "prospect of", "prospects for", "hopes for", "chance of", "chances of", "rumoured",
    "rumored", "speculation", "idea of", "draft", "memorandum on", "unclear", "uncertain", "unconfirmed",
    "supposed to", "in principle", "fear", "fears", "feared", "fearing", "warned of", "warns of", "warning of",
    "warned that", "risk of", "at risk", "threat of", "threatened to", "threatens to", "threatening to",
    "on the brink of", "on the verge of", "close to", "nearly", "almost", "towards", "toward", "work towards",
    "work toward", "working towards", "steps towards", "path to", "road to", "framework for", "roadmap",
    "road map", "pave the way", "paving the way", "groundwork for", "doubt", "doubts", "doubted", "doubtful",
    "sceptical", "skeptical", "claimed", "claims", "claiming", "alleged", "allegedly", "alleges",
    # Futures and abilities that are no announcement, and the other forms of listed verbs.
    "going to", "set to", "due to be", "can", "try to", "tries to", "tried to", "trying to", "attempt to",
    "attempted to", "attempts to", "attempting to", "seeks to", "sought to", "negotiates", "negotiated for",
    "proposes to", "it is expected that", "is expected", "are expected", "was expected", "were expected",
    "expected", "reportedly", "apparently", "supposedly", "purportedly", "presumably", "maybe",
    "declined to", "declines to", "reluctant to", "hesitant to", "aims to", "aimed to", "wishes to",
    "wished to", "wish", "needs to", "need to", "has to", "have to", "must", "ought to",
    "asked to", "asks", "asked", "order to", "so that", "in order to", "designed to", "meant to",
    # Chances and requirements: "the likelihood of a bid", "the deal requires the approval of shareholders".
    "likelihood of", "likelihood that", "possibility of", "possibility that", "requires", "require",
    "requiring",
    # "An attempted coup", "attempted a crossing": tried, not done.
    "attempted",
    # Entreaties: "please free the hostages". Accusations are left out: "accused of carrying out the attack" does
    # not doubt it.
    "please", *WANTING,
)
#: Conditions and disputed claims that follow the predicate: "the exchange will take place on Monday if
#: both sides agree", "Russia and Ukraine agreed to a truce, a blogger claimed".
HEDGE_AFTER = (
    "if", "unless", "only if", "provided that", "providing that", "as long as", "on condition",
    "subject to", "in exchange for", "in return for", "conditional on", "claimed", "claims", "alleged",
    "alleges", "according to unconfirmed reports", "in principle", "in theory", "on paper",
)
#: Time clauses: "once the truce takes effect" is a condition about the future, "once the truce took
#: effect" a fact. Before a predicate in the past tense they only end the reach of earlier cues.
TEMPORAL = ("when", "whenever", "once", "until", "till", "before", "after", "as soon as")
#: Phrases that look like a cue but are none; they are blanked out before cues are looked for.
PSEUDO_NEGATION = (
    "not only", "not just", "no doubt", "not least", "nothing but", "no sooner", "no matter",
    "once again", "once more", "at once", "as expected", "as planned", "as agreed", "as promised",
    "as scheduled", "as usual", "as yet", "as well as", "if any", "if not", "whether or not",
    # Fixed phrases whose cue word is used in another sense: a source's anonymity, a comparison with what
    # was expected ("fell faster than expected" happened), an adjective ("would-be buyers"), police
    # language ("wanted for questioning").
    "on condition of anonymity", "on condition that he not be named", "on condition that she not be named",
    "than expected", "than anticipated", "than planned", "than hoped", "than feared", "than forecast",
    "would-be", "would - be", "if compared", "wanted for questioning", "wanted in connection with", "most wanted",
    "sought for questioning", "sought in connection with",
    # "The No. 1 carmaker", "no fewer than 20 people were killed": a rank or a quantity, no denial.
    "no. 1", "no. 2", "no. 3", "no. 4", "no. 5", "no fewer than", "no less than", "no more than",
    "no later than", "no earlier than", "not less than", "not more than", "nothing less than",
    # Claiming a deed or its toll is no disputed claim: "no group has claimed responsibility for the attack",
    # "the raid claimed 20 lives".
    "claimed responsibility", "claims responsibility", "claiming responsibility", "claimed credit", "claims credit",
    "claimed the lives", "claimed the life", "claims the lives", "claimed lives", "claimed at least",
    "claimed more than", "claimed over", "claimed dozens", "claimed hundreds", "claimed thousands",
    # A truce's name: "the cease-fire held".
    "cease-fire", "cease - fire", "cease fire",
)
#: Words that end a cue's reach: what comes after them is another statement. ("yet" counts only as a
#: conjunction, after a comma or "and": see guards._CLAUSE_BOUNDARY, as "not yet" is a negation.)
TERMINATORS = (
    "but", "however", "although", "though", "whereas", "while", "because", "since", "as",
    "which", "who", "whom", "where", "even though", "except", "apart from", "aside from", "nevertheless",
)
#: Verbs of reporting: in "officials said the exchange would take place on Monday", "would" is the
#: reported form of "will", not a possibility (see guards.judge).
REPORTING = (
    "said", "says", "told", "announced", "announces", "confirmed", "confirms", "stated", "added", "reported",
    "declared", "wrote", "informed", "according to",
)


@dataclass(frozen=True)
class Cue:
    """One occurrence of a cue phrase in a text: where, which phrase (as written there), and its kind."""

    start: int
    end: int
    text: str
    kind: str


class PhraseIndex:
    """Cue phrases found as whole words in one pass (Aho-Corasick), whatever their number.

    Texts are searched folded (``fold_keeping_length``), with single spaces between words (extraction
    normalises them so);
    a phrase in several kinds keeps the first kind of the order it was given.
    """

    def __init__(self, kinds: Iterable[tuple[str, Iterable[str]]]) -> None:
        self._automaton = ahocorasick.Automaton()
        seen: set[str] = set()
        for kind, phrases in kinds:
            for phrase in phrases:
                key = " ".join(fold_keeping_length(phrase).split())
                if key and key not in seen:
                    seen.add(key)
                    self._automaton.add_word(key, (len(key), kind))
        self._empty = not seen
        if seen:
            self._automaton.make_automaton()

    def find(self, text: str, lowered: str, start: int = 0, end: int | None = None) -> list[Cue]:
        """Every occurrence (overlaps included) in ``text[start:end]``; ``lowered`` is ``text`` folded
        with ``fold_keeping_length``."""
        if self._empty:
            return []
        stop = len(text) if end is None else end
        found = []
        for last, (length, kind) in self._automaton.iter(lowered, start, stop):
            first = last - length + 1
            if _word_edge(lowered, first - 1) and _word_edge(lowered, last + 1):
                found.append(Cue(first, last + 1, text[first:last + 1], kind))
        return found

    def first(self, text: str, lowered: str, start: int = 0, end: int | None = None) -> Cue | None:
        """The occurrence that starts first (the longest, of those starting together)."""
        found = self.find(text, lowered, start, end)
        return min(found, key=lambda cue: (cue.start, -cue.end)) if found else None


def _word_edge(text: str, index: int) -> bool:
    return index < 0 or index >= len(text) or not (text[index].isalnum() or text[index] in "_'")


#: Cue words shorter than this are matched as written (short function words: "не", "ні", "би").
INFLECT_FROM_LETTERS = 4
#: At most this many spellings of one cue phrase (every form of each of its words, combined).
MAX_PHRASE_FORMS = 400


@dataclass(frozen=True)
class CueSet:
    """Compiled cue lists for one item in one language: built-ins plus the rule files' additions."""

    before: PhraseIndex  # kinds: hedge, negation, temporal, terminator
    negation_after: PhraseIndex
    hedge_after: PhraseIndex
    pseudo: PhraseIndex
    reporting: PhraseIndex
    language: str = "en"


def _builtin(language: str) -> dict[str, tuple[str, ...]]:
    """The built-in lists of ``language`` by name (English's for a language without its own)."""
    english = {"NEGATION": NEGATION, "NEGATION_AFTER": NEGATION_AFTER, "HEDGE": HEDGE, "HEDGE_AFTER": HEDGE_AFTER,
               "TEMPORAL": TEMPORAL, "PSEUDO_NEGATION": PSEUDO_NEGATION, "TERMINATORS": TERMINATORS,
               "REPORTING": REPORTING}
    module: ModuleType | None = {"uk": cues_uk, "ru": cues_ru}.get(language)
    return english if module is None else {name: getattr(module, name) for name in english}


def _additions(extension: CueLists, language: str) -> LanguageCues:
    if language == "en":
        return extension
    return getattr(extension, language, None) or LanguageCues()


def _inflected(phrases: Iterable[str], language: str) -> Iterator[str]:
    """Each phrase in every form of its words (for an inflected language), else as written."""
    for phrase in phrases:
        words = phrase.split()
        if language not in INFLECTED or not words:
            yield phrase
            continue
        options = [sorted(forms(w, language, any_tense=True)) if len(w) >= INFLECT_FROM_LETTERS else [w]
                   for w in words]
        yield from (" ".join(combination)
                    for combination in itertools.islice(itertools.product(*options), MAX_PHRASE_FORMS))


def build_cues(*extensions: CueLists, language: str = "en") -> CueSet:
    """The built-in lists of ``language`` extended by each of ``extensions`` (top-level, then the item's own).

    A rule file's negations and hedges count on both sides of the predicate ("... was called off",
    "... in selected shops"), as its authors write phrases, not grammar.
    """
    lists = _builtin(language)

    def merged(name: str, added_field: str | None = None) -> list[str]:
        """A built-in list, with the rule files' phrases of ``added_field``, each in all its forms."""
        added = [p for ext in extensions for p in getattr(_additions(ext, language), added_field)] if added_field \
            else []
        return list(_inflected([*lists[name], *added], language))

    return CueSet(
        before=PhraseIndex([("hedge", merged("HEDGE", "hedge")), ("negation", merged("NEGATION", "negation")),
                            ("temporal", merged("TEMPORAL")), ("terminator", merged("TERMINATORS", "terminators"))]),
        negation_after=PhraseIndex([("negation", merged("NEGATION_AFTER", "negation"))]),
        hedge_after=PhraseIndex([("hedge", merged("HEDGE_AFTER", "hedge"))]),
        pseudo=PhraseIndex([("pseudo", merged("PSEUDO_NEGATION", "pseudo_negation"))]),
        reporting=PhraseIndex([("reporting", merged("REPORTING"))]),
        language=language,
    )
