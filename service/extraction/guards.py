"""Guards: whether a pattern's match states a fact, or a denial, a wish, a proposal or a condition.

Cues are judged against the *predicate*, the span the pattern matched, NegEx-style: a cue counts
only in the same clause, within a few words before the predicate (or right after it), and not past
a terminator such as "but", "which" or "because". Side remarks (``(...)``, ``- ... -``, ``, which ... ,``)
are left out. So "no prisoner swap until the ceasefire holds" is not a denial of the ceasefire (its
"until" makes the holding a condition), and "the ceasefire has not collapsed" denies "collapsed".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import regex

from service.extraction import cues_ru, cues_uk
from service.extraction.background import ENGLISH_EARLIER as _BACKGROUND_EARLIER
from service.extraction.background import ENGLISH_YEAR as _BACKGROUND_YEAR
from service.extraction.background import background
from service.extraction.cues import DELAYING, STOPPING, WANTING, Cue, CueSet
from service.extraction.folding import fold_keeping_length
from service.extraction.grammar import Grammar
from service.extraction.verdicts import Verdict

#: Negations reach this many words forward (NegEx's window); terminators cut it shorter.
NEGATION_WINDOW_WORDS = 6
#: Hedges reach further: "Kyiv called on Moscow and its allies to agree to a ceasefire".
HEDGE_WINDOW_WORDS = 10
#: A negation after the predicate must come this close: "the ceasefire deal was not signed".
AFTER_WINDOW_WORDS = 3

_CLAUSE_BOUNDARY = regex.compile(
    r"""[;:!?"]|\s-\s|\band\s+yet\b"""
    r"|,\s*(?=(?:and|but(?!\s+only\s+(?:if|when|once|after)\b)|while|although|though|whereas|however|yet|so)\b)"
    # "but only if" keeps the condition in the predicate's clause.
    r"|\b(?:but(?!\s+only\s+(?:if|when|once|after)\b)|however|although|though|whereas|while)\b",
    regex.IGNORECASE,
)
_SIDE_REMARK = regex.compile(
    r"\([^()]*\)|\s-\s[^-]{1,160}?\s-\s|,\s*(?:which|who|whom|whose|where)\b[^,;:\"]*,"
    # "Eleven people, none of them soldiers, died": an apposition about the subject's members.
    r"|,\s*(?:none|all|most|some|many|several|few|one|two|three|each|both|neither)\s+of\s+(?:them|whom|which)\b"
    r"[^,;:\"]*,",
    regex.IGNORECASE,
)
_RELATIVE_CLAUSE = regex.compile(r"\b(?:that|which|who|whom|whose|where)\b", regex.IGNORECASE)
_WORD = regex.compile(r"[\w'-]+")
# Right after a bare noun ("a ceasefire could be agreed"), a modal still says the predicate is uncertain.
_MODAL_AFTER = regex.compile(
    r"\b(?:could|might|would|should|(?-i:may)|expected to|likely to|unlikely to|possibly|probably|hoped to)\b",
    regex.IGNORECASE,
)
_PAST_AUXILIARIES = frozenset({"was", "were", "had", "did"})
_PRESENT_AUXILIARIES = frozenset(
    {"is", "are", "be", "been", "being", "has", "have", "will", "would", "can", "could", "may", "might",
     "should", "must", "to", "get", "gets"}
)
_IRREGULAR_PAST = frozenset(
    {"took", "came", "began", "broke", "fell", "held", "met", "struck", "went", "got", "made", "sent", "gave",
     "won", "lost", "saw", "brought", "ran", "rose", "fought", "left", "stood", "kept", "drew", "froze",
     "forgave", "overtook", "undertook", "withdrew", "sought", "swore", "wrote", "spoke", "swept", "felt", "said",
     "told", "thought", "bought", "caught", "taught", "found", "led", "fled", "built", "spent", "lent", "sold",
     "paid", "laid", "heard", "knew", "grew", "threw", "flew", "blew", "shot", "hid", "bit", "drove", "rode",
     "wore", "tore", "bore", "shook", "woke", "chose", "stole", "slid", "hung", "sank", "shrank", "sang",
     "rang", "swam", "dealt", "meant", "slept", "crept", "wept", "sat", "lay", "became", "overran", "forbade",
     "gone", "done", "seen", "taken", "given", "written", "spoken", "broken", "fallen", "begun", "shown", "known",
     "killed", "died", "was", "were", "had", "did"}
)
#: Words that make a time clause look ahead: "shelling will stop once the ceasefire takes effect".
_FUTURE = regex.compile(
    r"\b(?:will|shall|'ll|won't|going\s+to|is\s+to|are\s+to|next|tomorrow|planned|plans?\s+to)\b",
    regex.IGNORECASE,
)
#: ... or whose own clause is in the present tense: "once the truce takes effect".
_PRESENT = regex.compile(r"\b(?:is|are|has|have|does|do|takes|holds|begins|starts|ends|comes|gets)\b",
                         regex.IGNORECASE)
#: The verb right after a time clause's subject, when it is a singular present ("after the strike ends will be
#: destroyed"): the clause's own, as a main verb after a plural subject would not be singular.
_SINGULAR_PRESENT_NEXT = regex.compile(r"\s+(?:is|has|does|takes|holds|begins|starts|ends|comes|gets)\b",
                                       regex.IGNORECASE)
#: "nearly 300 people": a quantity, not something that nearly happened.
_QUANTITY_AFTER = regex.compile(r"\s+(?:\d|\$|(?:a|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|"
                                r"forty|fifty|hundred|hundreds|thousand|thousands|half|all|every|double|twice)\b)",
                                regex.IGNORECASE)
_QUANTIFIERS = frozenset({"nearly", "almost", "close to"})
#: Time clauses that always look ahead when the predicate is not in the past ("until the truce holds").
_ALWAYS_AHEAD = frozenset({"until", "till", "as soon as", "once"})
#: Modals reach only the verb they govern and a few words of it: "flaws that could delay the makers' efforts"
#: does not make the efforts uncertain.
_MODALS = frozenset({"could", "may", "might", "would", "should", "can", "must"})
MODAL_WINDOW_WORDS = 4
#: Hedge cues that are also nouns: after a determiner ("accepted the offer", "claims from the earthquake")
#: they name a thing, not a wish; followed by "to", "for" or "that" they still propose ("the offer to buy").
_NOUN_SENSE = frozenset({"offer", "offers", "claims", "demand", "demands", "plan", "plans", "fear", "fears",
                         "doubt", "doubts", "draft", "hope", "hopes", "aim", "proposal", "proposals", "bid",
                         "want", "speculation", "discussion of", "consider"})
_DETERMINER_BEFORE = regex.compile(
    r"(?:\b(?:the|a|an|its|his|her|their|our|this|that|these|those|tender|hostile|sweetened|new|latest|first|"
    r"revised|rival|higher|lower|any|every|no|such|insurance|earthquake)|'s|s')\s+$",
    regex.IGNORECASE,
)
#: Hedge cues that name a thing when used as nouns ("following a new offer, the union called off the strike"):
#: a comma between such a noun and the predicate ends its reach, as the offer is the background of the deed.
_NOMINAL = frozenset({"offer", "offers", "proposal", "proposals", "proposal for", "plan", "plans", "demand",
                      "demands", "bid", "hope", "hopes", "fear", "fears"})
#: A noun cue that is the subject of an auxiliary ("security plans were leaked", "the demand was refused")
#: names a thing the clause says something about; "plans are to ..." and "the hope is that ..." still propose.
_SUBJECT_OF_AUXILIARY = regex.compile(r"\s+(?:was|were|is|are|has|have|had)\b(?!\s+(?:to|that|for)\b)",
                                      regex.IGNORECASE)
#: "Demand" as a market's demand ("softer demand", "strong consumer demand") is no request.
_MARKET_BEFORE_DEMAND = regex.compile(
    r"\b(?:strong|stronger|weak|weaker|soft|softer|softening|firm|firmer|higher|lower|rising|falling|slowing|"
    r"slower|growing|robust|sluggish|consumer|domestic|global|world|market|customer|export|seasonal|continued|"
    r"increased|reduced|strengthening|weakening|booming|tepid|brisk|pent-up|healthy|solid|poor|slack|overall)\s+$",
    regex.IGNORECASE)
#: ... when a determiner or a preposition shows it is a noun ("they demand, once more, that" is the verb).
_PREPOSITION_BEFORE = regex.compile(r"\b(?:following|after|amid|amidst|under|despite|with|of|from|over|upon|"
                                    r"against|before|by|on|in|behind|about)\s+$", regex.IGNORECASE)
_PROPOSES_AFTER = regex.compile(r"\s+(?:to|for|that|of)\b", regex.IGNORECASE)
#: Words of a disputed report that are also a noun or an adjective: "a lawsuit over claims of hearing loss",
#: "strikes against alleged camps" report nothing about the predicate; "a blogger claimed" does.
_CLAIM_WORDS = frozenset({"claims", "claimed", "alleged"})
#: After "claims", what shows the noun (a demand for money, a grievance): "claims of", "claims stemming from".
_CLAIM_THING_AFTER = regex.compile(
    r"\s+(?:of|for|from|stemming|arising|against|over|filed|totall?ing|related|by)\b", regex.IGNORECASE
)
#: A "that" clause whose subject (a few words, no verb of its own) is followed by a bare "be" right before the
#: predicate: the subjunctive of a demand ("asked that his son be moved").
_SUBJUNCTIVE_BE = regex.compile(
    r"\bthat\s+(?:(?!(?:to|will|would|could|can|may|might|should|must|shall|not|never|also|is|are|was|were|"
    r"has|have|had|do|does|did)\b)[\w'.-]+\s+){1,5}be\s+$", regex.IGNORECASE)
#: Hedges that qualify the noun after them when a determiner comes first ("the planned purchase", "a possible
#: strike"), and how far that noun's phrase reaches.
_ATTRIBUTIVE = frozenset({"planned", "proposed", "possible", "potential", "expected", "intended", "rumoured",
                          "rumored", "draft"})
ATTRIBUTIVE_WINDOW_WORDS = 3
#: "The firm intends to bid for the contract and is seeking partners": "and" with an auxiliary starts a verb
#: phrase of its own, beyond the reach of the hedge in the first one.
_NEW_VERB_PHRASE = regex.compile(r"\b(?:and|but)\s+(?:is|are|was|were|has|have|had)\b", regex.IGNORECASE)
#: A quantifier that says none or next to none of it ("any decision to close the border", "little change in sales",
#: "few banks want", "few prisoners were freed"), right before the predicate or a word (and an auxiliary) before
#: it: no single deed is stated. "A few" and "the few" count some; "at any time" and "in any case" are adverbs.
_NONE_OR_NEXT_TO_NONE_BEFORE = regex.compile(
    r"(?<!\b(?:a|the)\s+)\b(any|little|few|hardly\s+any|scarcely\s+any|barely\s+any)\s+"
    r"(?:(?!(?:time|rate|case|event|cost|moment|point|longer|more|other)\b)[\w'-]+\s+)?"
    r"(?:(?:was|were|is|are|have|has|had|been|got)\s+)?$", regex.IGNORECASE)
#: Verbs of stopping deny only what they stop directly ("stopped paying", "halted trading"): "stop the
#: bloodshed" says there is bloodshed, and "forestalled the vote by walking out" walked out. Verbs of delaying,
#: opposing and asking reach no further either (cues.py).
_STOPPING = frozenset(STOPPING)
_OBJECT_ONLY = frozenset((*STOPPING, *DELAYING, *WANTING))
OBJECT_WINDOW_WORDS = 2
#: ... nor what a preposition after them adds: "trading was suspended amid market turmoil".
_PREPOSITION = regex.compile(r"\b(?:amid|amidst|after|before|over|during|despite|in|on|at|for|by|with|because)\b",
                             regex.IGNORECASE)
#: Determiners that make a noun phrase definite (a possessive "'s" does too; "that" is left out, as it is more
#: often the conjunction: "officials said that talks could resume").
_DEFINITE = r"the|this|these|those|its|his|her|their|our"
_DETERMINER_AFTER = regex.compile(rf"\s+(?:a|an|that|my|your|{_DEFINITE})\b", regex.IGNORECASE)
#: A comparison with what was expected, a few words allowed between ("than most traders had expected"); the
#: fixed "than expected" is a pseudo-negation (cues.py).
_THAN_EXPECTED = regex.compile(
    r"\bthan\s+(?:[\w'-]+\s+){0,3}?(?:had\s+|have\s+|has\s+|was\s+|were\s+)?"
    r"(?:expected|anticipated|forecast|predicted|hoped|feared|planned|estimated)\b", regex.IGNORECASE)
#: A definite determiner or a possessive, up to two words before the predicate ("the price cut").
_DEFINITE_BEFORE = regex.compile(rf"(?:\b(?:{_DEFINITE})|\w's|s')\s+(?:[\w-]+\s+){{0,2}}$", regex.IGNORECASE)
#: After a modal: the predicate's own passive or perfect ("would be held", "could have been signed").
_OWN_PASSIVE_AFTER = regex.compile(r"\s+(?:(?:also|still|not|simply|only|then|soon)\s+)?(?:be|been|have)\b",
                                   regex.IGNORECASE)
#: A verb whose object is "no ..." or "nothing" did not do it: "the gunmen took no money", "police found nothing".
_NOTHING_AFTER = regex.compile(r"\s+(no|nothing|none)\b(?!\s*(?:\.\s*\d|longer\b|doubt\b|matter\b|sooner\b))",
                               regex.IGNORECASE)
_HOLDING_VERBS = frozenset({"is", "are", "was", "were", "be", "been", "has", "have", "had", "having", "see", "sees",
                            "saw", "seen", "seeing", "made", "makes", "make"})
#: How far before a time clause its governing verb is looked for ("sanctions imposed on Iraq after ...").
_GOVERNING_WORDS = 3
#: Hedges that make a condition: they reach into the main clause after a comma ("if talks fail, the truce
#: will collapse" does not say the truce collapses).
_CONDITIONS = frozenset({"if", "unless", "whether", "provided that", "providing that", "as long as", "in case",
                         "on condition", "only if", "subject to", "in exchange for", "conditional on"})
#: Conditions and qualifications after the predicate that belong to the nearest verb before them ("agreed to hand
#: over the weapons if ..."); a disputed claim ("..., a blogger claimed") is about the whole statement.
_ATTACHED_AFTER = _CONDITIONS | {"in return for", "in principle", "in theory", "on paper"}
#: A comma followed within this many words by "and" or "or" is a list's; one followed by another comma
#: within as many words opens an aside (", on Monday,").
_LIST_WORDS = 4
#: Words after a comma that go on naming the hedged thing ("talks, including on a truce", "goods, such as oil").
_EXAMPLES_AFTER = regex.compile(r"\s*(?:including|such\s+as|notably|especially|particularly|in\s+particular|"
                                r"namely|like|mainly|mostly|chiefly|above\s+all|as\s+well\s+as|plus|either|"
                                r"neither|not|nor|or|and|then|possibly|perhaps)\b", regex.IGNORECASE)
_ASIDE = regex.compile(r",(?:\s*[\w'.-]+){0,4}\s*,")
_THAT_AFTER = regex.compile(r"\s+that\b", regex.IGNORECASE)
#: "to" right before a bare verb: "agreed to release the prisoners" does not say they were released.
_INFINITIVE_TO = regex.compile(r"\bto\s+(?:(?:also|not|then|jointly|immediately|formally)\s+)?$", regex.IGNORECASE)
#: Words before "to" that make it a preposition of movement or result ("led to war", "rose 40 points to"), or
#: a verb that says the deed was done ("managed to", "continued to", "began to", "had to").
_TO_PREPOSITION = frozenset({"led", "leads", "lead", "went", "go", "goes", "returned", "return", "moved", "came",
                             "come", "according", "prior", "up", "close", "next", "back", "from", "and",
                             "or", "rose", "fell", "increased", "declined", "dropped", "climbed", "jumped",
                             "contributed", "related", "compared", "opposed", "addition", "respect", "regard",
                             "way", "road", "path", "turned", "referred", "applied", "subjected", "exposed", "continue",
                             "continues", "continued", "continuing", "began", "begin", "begins", "beginning",
                             "started", "starts", "start", "managed", "used", "had", "points", "share", "cents",
                             "percent", "contract", "shot", "helped", "helps", "enough", "uses"})
#: "Moved to" before what a court is asked to do files a motion; otherwise "moved to" is a movement.
_MOTION = frozenset({"moved", "moves", "move", "moving"})
_MOTION_VERBS = frozenset({"dismiss", "block", "quash", "strike", "suppress", "stay", "halt", "bar", "compel",
                           "vacate", "overturn", "enjoin", "intervene", "exclude", "delay", "stop", "freeze"})
#: Verbs that say the deed under "to" was done, a few words before it (implicatives and causes): "went on to win",
#: "caused prices to fall", "police were forced to close the road", "prompted the bank to cut rates", "pleased to
#: announce".
_DONE_BEFORE_TO = regex.compile(
    r"\b(?:caused|causing|causes|forced|forcing|compelled|prompted|prompting|proceeded|begun|went\s+on|took\s+pains|"
    r"happened|dared|bothered|remembered|helping|pleased|glad|delighted|proud)(?:\s+[\w'.-]+){0,3}$",
    regex.IGNORECASE)
#: A ranking names who did it: "the first country to sign the treaty", "one of the few banks to raise rates".
_RANKED_BEFORE_TO = regex.compile(
    r"\b(?:the|its|their|his|her|a)\s+(?:first|last|only|second|third|latest|few)(?:\s+[\w'.-]+){0,3}$",
    regex.IGNORECASE)
#: Where a market or a figure moved to: "rebounded to close higher", "fell for a third day to end the week".
_RESULT_INFINITIVES = frozenset({"close", "end", "finish", "settle", "reach", "stand", "hit"})
_MOVED_BEFORE_TO = regex.compile(
    r"\b(?:rose|fell|rebounded|recovered|climbed|gained|lost|dropped|slid|slipped|jumped|surged|tumbled|plunged|"
    r"advanced|declined|edged|rallied|sank|soared|went|going)(?:\s+[\w'.,%$-]+){0,8}$", regex.IGNORECASE)
#: Nouns whose own "to" states a purpose or a chance ("prompted efforts to agree a truce", "the first step to end
#: the war"): the verb after them is still an aim, whatever comes before the noun.
_PURPOSE_NOUNS = frozenset({"effort", "efforts", "call", "calls", "bid", "bids", "attempt", "attempts", "move", "moves",
                            "step", "steps", "way", "ways", "chance", "chances", "opportunity", "time", "deal", "deals",
                            "plan", "plans", "measure", "measures", "option", "options", "offer", "offers", "push",
                            "campaign", "pressure", "proposal", "proposals", "right", "decision", "agreement",
                            "order", "orders", "talks", "demand", "demands", "motion", "vote", "votes"})
#: Endings of words that are no bare verb: a participle, a plural, a noun ("to reach" is an aim, "to sales"
#: is not). Endings that verbs share ("to surrender", "to ensure", "to finance", "to implement", "to question",
#: "to discuss") are left to the closed list of bare nouns after "to" below.
_NOT_BARE_VERB = regex.compile(r"(?:(?<!br|spr|str|sw|st|cl|fl|s)ing|ed|ions|ments|ness|ity|ists?|ers|(?<![su])s)$",
                               regex.IGNORECASE)
#: Nouns that follow "to" without a determiner ("beaten to death", "came to power", "went to court").
_BARE_NOUNS_AFTER_TO = frozenset({"death", "war", "power", "court", "trial", "prison", "jail", "office", "date",
                                  "parliament", "independence", "extinction", "completion", "justice", "safety",
                                  "hospital", "school", "church", "bed", "life", "light", "mind", "market",
                                  "attention", "action", "election", "congress", "dinner", "lunch", "home",
                                  "work", "zero", "nothing", "everyone", "anyone", "someone", "ground", "shore",
                                  "sea", "town", "land", "air", "fruition", "maturity", "victory", "defeat"})
#: Reported speech after a verb of saying or thinking ("a spokesman said the bank may not qualify", "he believes
#: the boy should stay") is about what was said or thought, not about the saying.
_SAYING = frozenset({"said", "says", "say", "told", "tells", "announced", "reported", "added", "stated", "noted",
                     "argued", "warned", "insisted", "claimed", "predicted", "acknowledged", "conceded", "saying",
                     "telling", "declared", "wrote", "asked", "believed", "thought", "knew", "estimated",
                     "believe", "believes", "think", "thinks", "adding", "noting", "warning", "warns", "predicting",
                     "predicts", "fearing", "wondered", "wondering", "complained", "insists", "argues", "explained"})
#: An auxiliary's negation ("did not", "has not", "isn't") after a past verb or participle belongs to another
#: verb: in "the prisoners released in May have not returned" the release happened.
_AUXILIARY_NEGATION = regex.compile(r"(?:has|have|had|is|are|was|were|did|does|do)(?:\s+not|n't)|not\s+yet|yet\s+to",
                                    regex.IGNORECASE)
#: A nearer verb between the predicate and a condition after it, which the condition then belongs to: an
#: infinitive ("agreed to hand over the boy if ..."), a modal or "will" ("said it would strike unless ...").
_NEARER_MODALS = frozenset({"will", "would", "could", "can", "may", "might", "should", "must", "shall", "'ll"})
#: Words after "to" that show it is a preposition, not the mark of an infinitive ("to an offer", "to them").
_NOT_AFTER_INFINITIVE_TO = frozenset({"the", "a", "an", "his", "her", "its", "their", "our", "my", "your", "this",
                                      "that", "these", "those", "some", "any", "all", "no", "every", "each", "him",
                                      "them", "us", "me", "it", "one", "what", "which", "whom", "date", "be"})


def _english_present(own: str) -> bool:
    return bool(_PRESENT.search(own))


def _english_aim(before: str, first_word: str) -> str | None:
    """"Agreed to release", "has the right to speak", "declined to confirm": a bare verb after "to" is an aim,
    a duty or a refusal, not a deed. Returns the verb, or None."""
    marker = _INFINITIVE_TO.search(before)
    if marker is None or _NOT_BARE_VERB.search(first_word) or first_word.lower() in _IRREGULAR_PAST \
            or first_word.lower() in _BARE_NOUNS_AFTER_TO or first_word[:1].isupper():
        return None
    head = before[:marker.start()].rstrip()
    if head[-1:] in ("%", ",") or head[-1:].isdigit():
        return None  # "fell 9% to reach a ten-year low": a result, not an aim
    previous = _WORD.findall(head)
    if previous and previous[-1].lower() in _MOTION and first_word.lower() in _MOTION_VERBS:
        return f"to {first_word}"  # "lawyers moved to dismiss the case": a motion, not a movement
    if previous and previous[-1].lower() in _TO_PREPOSITION:
        return None
    if previous and previous[-1].lower() not in _PURPOSE_NOUNS and (
            _DONE_BEFORE_TO.search(head) or _RANKED_BEFORE_TO.search(head)
            or (first_word.lower() in _RESULT_INFINITIVES and _MOVED_BEFORE_TO.search(head))):
        return None
    return f"to {first_word}"


ENGLISH = Grammar(
    clause_boundary=_CLAUSE_BOUNDARY, side_remark=_SIDE_REMARK, relative_clause=_RELATIVE_CLAUSE,
    modal_after=_MODAL_AFTER, future=lambda text: bool(_FUTURE.search(text)), present=_english_present,
    is_past=lambda text: _is_past(text),
    aim=_english_aim, quantity_after=_QUANTITY_AFTER, quantifiers=_QUANTIFIERS, always_ahead=_ALWAYS_AHEAD,
    modals=_MODALS, saying=_SAYING, year=_BACKGROUND_YEAR, earlier=_BACKGROUND_EARLIER,
    noun_sense=_NOUN_SENSE, determiner_before=_DETERMINER_BEFORE, proposes_after=_PROPOSES_AFTER,
    claim_words=_CLAIM_WORDS,
)
GRAMMARS: Mapping[str, Grammar] = MappingProxyType({"en": ENGLISH, "uk": cues_uk.GRAMMAR, "ru": cues_ru.GRAMMAR})


@dataclass(frozen=True)
class Predicate:
    """Where a pattern matched, as the guards need it.

    ``start``-``end`` are the words judged; ``after`` is where the text after them starts (for a date
    pattern, after the date's own words, so "on Monday" is never read as a cue). ``own_words`` are the
    words of the author's pattern: a cue the author wrote into the pattern ("has not yet been
    announced") is what the pattern asks for, not a cue against it.
    """

    start: int
    end: int
    after: int
    own_words: frozenset[str]
    announces_date: bool = False


def judge(sentence: str, predicate: Predicate, cues: CueSet, published_year: int | None = None) -> Verdict | None:
    """The reason the predicate in ``sentence`` is not a statement of fact, or None if it is one.

    With ``published_year``, a clause that dates the predicate to an earlier year ("a truce agreed in
    2022 collapsed") is background, not news.
    """
    grammar = GRAMMARS.get(cues.language, ENGLISH)
    lowered = fold_keeping_length(sentence)
    masked = [(c.start, c.end) for c in cues.pseudo.find(sentence, lowered)]  # "not only" is no negation
    if grammar is ENGLISH:  # "held longer than many had expected": a comparison, no expectation of the predicate
        masked += [m.span() for m in _THAN_EXPECTED.finditer(sentence)]
    masked += [m.span() for m in grammar.side_remark.finditer(sentence)
               if m.end() <= predicate.start or m.start() >= predicate.after]
    text, lowered = _blank(sentence, masked), _blank(lowered, masked)
    clause_start, clause_end = _clause(grammar, text, predicate.start, predicate.after)
    for remark in grammar.side_remark.finditer(sentence):
        # A predicate inside a side remark ("the agency, which gives a daily tally, did not mention him") is
        # judged within the remark: the sentence around it is another statement.
        if remark.start() <= predicate.start and remark.end() >= predicate.after:
            clause_start, clause_end = max(clause_start, remark.start()), min(clause_end, remark.end())
    if _asks(sentence, clause_end):
        return Verdict("hedge", "?", "the sentence asks a question; it does not state the fact")
    scan = _Scan(sentence, text, lowered, predicate, cues, grammar)
    past = grammar.is_past(sentence[predicate.start:predicate.end])
    verdict = (scan.infinitive() or scan.subjunctive(clause_start) or scan.quantified(clause_start)
               or scan.before(clause_start, past)
               or scan.inside() or scan.after(clause_end))
    if verdict is not None or published_year is None:
        return verdict
    # The announced date's own words are left out: "on 30 December 2025" read in January 2026 is no history.
    clause = text[clause_start:predicate.end] + " " + text[predicate.after:clause_end]
    return background(clause, published_year, grammar.year, grammar.earlier)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _clause(grammar: Grammar, text: str, start: int, end: int) -> tuple[int, int]:
    clause_start, clause_end = 0, len(text)
    for boundary in grammar.clause_boundary.finditer(text):
        if boundary.end() <= start:
            clause_start = boundary.end()
        elif boundary.start() >= end:
            clause_end = boundary.start()
            break
    return clause_start, clause_end


def _asks(sentence: str, clause_end: int) -> bool:
    if sentence[clause_end:clause_end + 1] == "?":
        return True
    return clause_end >= len(sentence.rstrip(" \"')")) - 1 and sentence.rstrip(" \"')").endswith("?")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _is_past(predicate: str) -> bool:
    """Simple past or past perfect ("took effect", "was agreed", "agreed"), not "is agreed"/"has been"."""
    words = [w.lower() for w in _WORD.findall(predicate)]
    for index, word in enumerate(words):
        previous = words[index - 1] if index else ""
        if word in _PAST_AUXILIARIES or word in _IRREGULAR_PAST:
            return True
        if word.endswith("ed") and len(word) > 3 and previous not in _PRESENT_AUXILIARIES:
            return True
    return False


def _nearest_first(found: list[Cue]) -> list[Cue]:
    """Cues nearest the end first; of overlapping cues the longest ("did not rule out", not "not")."""
    found = sorted(found, key=lambda c: (-c.end, -(c.end - c.start)))
    chosen: list[Cue] = []
    for cue in found:
        if all(cue.end <= other.start or cue.start >= other.end for other in chosen):
            chosen.append(cue)
    return chosen


def _is_month(sentence: str, cue: Cue) -> bool:
    """"In May, ..." or "May 9" is the month; "May" opening a sentence before a subject is the modal."""
    if cue.text != "May":
        return False
    return bool(sentence[:cue.start].strip()) or bool(regex.match(r"\s*\d", sentence[cue.end:]))


class _Scan:
    """The cue checks around one predicate of one (masked) sentence."""

    def __init__(self, sentence: str, text: str, lowered: str, predicate: Predicate, cues: CueSet,
                 grammar: Grammar) -> None:
        self.sentence, self.text, self.lowered = sentence, text, lowered
        self.predicate, self.cues, self.grammar = predicate, cues, grammar

    def _reported_will(self, cue: Cue) -> bool:
        """"Officials said the exchange would take place on Monday": reported speech turns "will" into "would".

        Only for a date announcement; "Russia said it would agree to a truce" stays a promise, not a fact.
        """
        return (self.predicate.announces_date and cue.text.lower() == "would"
                and bool(self.cues.reporting.find(self.sentence, self.lowered)))

    def _looks_ahead(self, cue: Cue) -> bool:
        """Whether a time clause speaks of the future: "until"/"once" always, "when"/"after"/"before" only when
        the statement looks ahead ("will", "next") or the clause is in the present ("when the truce takes
        effect"). "After the accident" and "when troops swept in" are facts.

        The statement is the time clause and the clause it is part of, not a relative clause later on:
        "two years after the bridge was first promised, the ceremony has taken place, with trains that are
        to run next year" looks back. A predicate after the comma that closes the time clause is in the main
        clause, which alone says whether it looks ahead ("after the ceasefire, the army will withdraw ...")."""
        grammar, text, predicate = self.grammar, self.text, self.predicate
        own = text[cue.end:predicate.after]
        comma = own.find(",")
        if comma >= 0:  # the time clause ended before the predicate
            return grammar.future(own[comma:])
        if cue.text.lower() in grammar.always_ahead:
            return True
        if grammar is ENGLISH and self._looks_back(cue):
            return False
        relative = grammar.relative_clause.search(text, predicate.after)
        statement = text[:relative.start() if relative else len(text)]
        return grammar.future(statement) or grammar.present(own)

    def _attributive_out_of_reach(self, cue: Cue, gap: int) -> bool:
        """"The bank's planned purchase of the insurer for $2 billion is due to close": a participle or an
        adjective after a determiner qualifies the noun it precedes ("the planned purchase" is no fact), not a
        verb beyond that noun's phrase (English)."""
        return (self.grammar is ENGLISH and gap > ATTRIBUTIVE_WINDOW_WORDS and cue.text.lower() in _ATTRIBUTIVE
                and bool(_DETERMINER_BEFORE.search(self.text, 0, cue.start)))

    def _looks_back(self, cue: Cue) -> bool:
        """"Shares jumped after the firm said it is in talks", "sanctions imposed after the invasion": a time
        clause whose own verb is in the past, or that follows a past verb closely, is about what happened,
        whatever the rest of the sentence says of the future (English)."""
        own = self.text[cue.end:self.predicate.start]
        if (self.grammar.future(own) or self.grammar.present(self.text[cue.end:self.predicate.after])
                or _SINGULAR_PRESENT_NEXT.match(self.text, self.predicate.after)):
            return False  # "after the truce agreed on Monday takes effect", "after the strike ends" look ahead
        if _is_past(own):
            return True
        governing = [w.lower() for w in _WORD.findall(self.text[:cue.start])][-_GOVERNING_WORDS:]
        if any(word == "to" or word in _NEARER_MODALS or self.grammar.future(word) for word in governing):
            return False  # "will be lifted after", "agreed to withdraw after": it looks ahead
        return _is_past(" ".join(word for word in governing if word not in _PAST_AUXILIARIES))

    def _noun_sense(self, cue: Cue) -> bool:
        """"Accepted the offer", "claims from the earthquake": the cue word names a thing, not a wish."""
        grammar = self.grammar
        if cue.text.lower() in grammar.quantifiers:
            return bool(grammar.quantity_after.match(self.text, cue.end))
        if cue.text.lower() not in grammar.noun_sense or grammar.proposes_after is None:
            return False
        if grammar is ENGLISH and (_SUBJECT_OF_AUXILIARY.match(self.text, cue.end) or (
                cue.text.lower() == "demand" and _MARKET_BEFORE_DEMAND.search(self.text, 0, cue.start))):
            return True
        if grammar.proposes_after.match(self.text, cue.end) or grammar.determiner_before is None:
            return False
        return bool(grammar.determiner_before.search(self.text, 0, cue.start))

    def _claim_as_thing(self, cue: Cue) -> bool:
        """"Over claims of hearing loss", "the claims stemming from the storm", "an alleged murder": the word
        names a grievance or qualifies a noun; it reports nothing about the predicate. "Alleged" still
        hedges the noun it qualifies ("the alleged attack"), and "claims that ..." still disputes what follows."""
        word = cue.text.lower()
        if word not in self.grammar.claim_words:
            return False
        if word == "alleged" and self.predicate.start - cue.end >= 0 and _words(
                self.text[cue.end:self.predicate.start]) <= 2:
            return False
        if _THAT_AFTER.match(self.text, cue.end):
            return False
        if word == "claims" and _CLAIM_THING_AFTER.match(self.text, cue.end):
            return True
        before = self.text[:cue.start]
        return bool(_DETERMINER_BEFORE.search(before) or _PREPOSITION_BEFORE.search(before))

    def _noun_before_comma(self, cue: Cue) -> bool:
        """"Following demands from commuters, the union called off the strike": a noun cue whose phrase a comma
        closes before the predicate is the background of the deed, not a proposal of it."""
        if cue.text.lower() not in _NOMINAL or "," not in self.text[cue.end:self.predicate.start]:
            return False
        before = self.text[:cue.start]
        return bool(_DETERMINER_BEFORE.search(before) or _PREPOSITION_BEFORE.search(before))

    def _comma_closes(self, cue: Cue) -> bool:
        """"Trying to calm the market, the bank cut rates", "plans to close two plants, cutting 900 jobs": a comma
        after a wish, plan or attempt ends its phrase, and what follows is another statement (English). A
        condition reaches on ("if talks fail, the truce will collapse"), a modal or a "that" clause holds its
        own clause together, and a comma inside a list or an aside ("urged Moscow, Minsk and Tehran to ...",
        "proposed, on Monday, a truce") closes nothing."""
        word = cue.text.lower()
        if self.grammar is not ENGLISH or word in _CONDITIONS or word in self.grammar.modals:
            return False
        between = _ASIDE.sub(" ", self.text[cue.end:self.predicate.start])
        if _THAT_AFTER.match(between):
            return False  # "demand, once more, that ...": the "that" clause is what is demanded
        for comma in regex.finditer(",", between):
            if _EXAMPLES_AFTER.match(between, comma.end()):
                continue  # "wants talks, including on a truce": the examples are still what is wanted
            if not any(w.lower() in ("and", "or") for w in _WORD.findall(between[comma.end():])[:_LIST_WORDS]):
                return True
        return False

    def infinitive(self) -> Verdict | None:
        """"Agreed to release", "погодилися обмінятися": a bare verb is an aim, a duty or a refusal, not a deed."""
        predicate = self.predicate
        first = _WORD.match(self.text, predicate.start)
        if first is None or "to" in predicate.own_words:
            return None
        aim = self.grammar.aim(self.text[:predicate.start], first.group(0))
        if aim is None:
            return None
        return Verdict("hedge", aim.split()[0].lower(),
                       f"'{aim}' is an aim or a duty, not a statement that it happened")

    def subjunctive(self, clause_start: int) -> Verdict | None:
        """"Insisted that the boy be returned", "a call that the dispute be settled": a bare "be" after the
        subject of a "that" clause is a demand's subjunctive, not a statement (English)."""
        if self.grammar is not ENGLISH:
            return None
        marker = _SUBJUNCTIVE_BE.search(self.text, clause_start, self.predicate.start)
        if marker is None:
            return None
        return Verdict("hedge", "be", "'that ... be' demands it; it does not state that it happened")

    def quantified(self, clause_start: int) -> Verdict | None:
        """"Any decision to expel", "little change in sales", "few banks cut rates": a quantifier of none or
        next to none right before the predicate states no deed (English)."""
        if self.grammar is not ENGLISH:
            return None
        marker = _NONE_OR_NEXT_TO_NONE_BEFORE.search(self.text, clause_start, self.predicate.start)
        if marker is None or marker.group(1).lower() in self.predicate.own_words:
            return None
        word = " ".join(marker.group(1).lower().split())
        if word == "any":
            return Verdict("hedge", word, "'any' names no particular one; it does not state that it happened")
        return Verdict("negation", word, f"'{word}' says next to none of it happened")

    def _beyond_object(self, cue: Cue, gap: int, past: bool) -> bool:
        """"Stopped paying dividends", "families who oppose the exchange": verbs of stopping, opposing and asking
        reach only their object, a word or two on, not a past verb beyond it ("residents who opposed abortion
        decried the attack") nor what a preposition adds ("suspended amid market turmoil"); and what a verb of
        stopping stops with a determiner was going on ("stop the bloodshed") (English)."""
        word = cue.text.lower()
        if self.grammar is not ENGLISH or word not in _OBJECT_ONLY:
            return False
        return (gap > OBJECT_WINDOW_WORDS or past or bool(_PREPOSITION.search(self.text, cue.end, self.predicate.start))
                or (word in _STOPPING and bool(_DETERMINER_AFTER.match(self.text, cue.end))))

    def _report_starts(self, clause_start: int) -> int:
        """"The firm plans to sell the plant, a spokesman said": a verb of saying after a comma is a
        statement of its own (the report), not part of what a cue before the comma proposes. Where that
        statement starts (the comma); ``clause_start`` when the predicate is no such verb."""
        predicate = self.predicate
        words = [w.lower() for w in _WORD.findall(self.text[predicate.start:predicate.end])]
        if len(words) != 1 or words[0] not in self.grammar.saying:
            return clause_start
        return max(clause_start, self.text.rfind(",", clause_start, predicate.start))

    def before(self, clause_start: int, past: bool) -> Verdict | None:
        """A cue between the clause's start and the predicate, nearest first, within its reach."""
        predicate = self.predicate
        clause_start = self._report_starts(clause_start)
        for cue in _nearest_first(self.cues.before.find(self.text, self.lowered, clause_start, predicate.start)):
            gap = _words(self.text[cue.end:predicate.start])
            if cue.kind == "terminator":
                return None  # what comes before it is another statement
            if cue.kind == "temporal":
                if past or gap > HEDGE_WINDOW_WORDS or not self._looks_ahead(cue):
                    return None  # "when the truce took effect" is a fact, and ends earlier cues' reach
                return Verdict("hedge", cue.text.lower(),
                               f"'{cue.text}' makes it a condition about the future, not a fact")
            if self._beyond_object(cue, gap, past):
                continue
            if cue.kind == "hedge":
                if (_is_month(self.sentence, cue) or self._reported_will(cue) or self._noun_sense(cue)
                        or self._noun_before_comma(cue) or self._claim_as_thing(cue) or self._comma_closes(cue)
                        or self._attributive_out_of_reach(cue, gap)
                        or _NEW_VERB_PHRASE.search(self.text, cue.end, predicate.start)):
                    continue
                reach = MODAL_WINDOW_WORDS if cue.text.lower() in self.grammar.modals else HEDGE_WINDOW_WORDS
                if gap <= reach:
                    return Verdict("hedge", cue.text.lower(),
                                   f"'{cue.text}' makes it a proposal, wish, possibility or condition, not a fact")
            elif gap <= NEGATION_WINDOW_WORDS and not self._comma_closes(cue) \
                    and not _NEW_VERB_PHRASE.search(self.text, cue.end, predicate.start):
                return Verdict("negation", cue.text.lower(), f"'{cue.text}' denies what follows it")
        return None

    def inside(self) -> Verdict | None:
        """A negation or hedge among the matched words that the author's pattern did not ask for."""
        predicate = self.predicate
        for cue in reversed(_nearest_first(self.cues.before.find(self.text, self.lowered, predicate.start,
                                                                 predicate.end))):
            if cue.kind not in ("hedge", "negation") or _is_month(self.sentence, cue):
                continue
            words = cue.text.lower().split()
            if predicate.announces_date and words == ["would"]:
                if self._reported_will(cue):
                    continue  # even when the author wrote "would" into the pattern, it needs reported speech
                return Verdict("hedge", "would", "'would' outside reported speech makes it a possibility, "
                                                 "not an announcement")
            if all(word in predicate.own_words for word in words):
                continue  # the author's own pattern asks for these words
            return Verdict(cue.kind, " ".join(words), f"'{cue.text}' inside the matched words changes their meaning")
        return None

    def _reports(self, predicate: str) -> bool:
        """A verb of saying, or one in the past, is followed by what was said or done, not by its own modal:
        "a spokesman said the bank may not qualify", "he told Clinton he could live with it"."""
        words = [w.lower() for w in _WORD.findall(predicate)]
        return bool(words) and (words[-1] in self.grammar.saying or self.grammar.is_past(predicate))

    def _last_word(self) -> str:
        """The predicate's last word, lower-cased ("" when it has none)."""
        words = _WORD.findall(self.text[self.predicate.start:self.predicate.end])
        return words[-1].lower() if words else ""

    def _says(self) -> bool:
        """Whether the predicate ends in a verb of saying or thinking (English), whose complement follows it."""
        return self.grammar is ENGLISH and self._last_word() in self.grammar.saying

    def _holds(self) -> bool:
        """Whether the predicate ends in "be", "have" or a verb of seeing: "has no plans", "sees no end" state
        what there is, not a deed that was not done (English)."""
        return self._last_word() in _HOLDING_VERBS

    def _verb_past(self) -> bool:
        """Whether the predicate ends in a past verb or participle (English): "agreed", "released", "took"."""
        last = self._last_word()
        return self.grammar is ENGLISH and bool(last) and last not in _PAST_AUXILIARIES and _is_past(last)

    def _nearer_verb(self, start: int, end: int) -> bool:
        """"Agreed to hand over the boy if ...", "said it would strike unless ...": a verb between the
        predicate and a condition after it (an infinitive, a modal's verb, a verb of saying) is the one the
        condition is about (English)."""
        if self.grammar is not ENGLISH:
            return False
        words = [w.lower() for w in _WORD.findall(self.text[start:end])]
        for index, word in enumerate(words):
            if word in _NEARER_MODALS or word in self.grammar.saying:
                return True
            following = words[index + 1] if index + 1 < len(words) else ""
            previous = words[index - 1] if index else ""
            if word == "to" and following and following not in _NOT_AFTER_INFINITIVE_TO \
                    and not _NOT_BARE_VERB.search(following) and following not in _IRREGULAR_PAST \
                    and previous not in _TO_PREPOSITION and not following[0].isdigit():
                return True
        return False

    def _definite_subject_of_another_verb(self, modal_end: int) -> bool:
        """"The merger would lead to job cuts", "the price cut is expected to lift sales": a definite
        noun phrase is presupposed, and the modal after it qualifies another verb. "A truce could be agreed",
        "such a ceasefire would allow", "the exchange would be held on Monday" (the predicate's own passive)
        stay possibilities (English)."""
        return (self.grammar is ENGLISH and bool(_DEFINITE_BEFORE.search(self.text, 0, self.predicate.start))
                and not _OWN_PASSIVE_AFTER.match(self.text, modal_end))

    def after(self, clause_end: int) -> Verdict | None:
        """A negation, modal, condition or disputed claim after the predicate, in its clause.

        After a verb of saying or thinking, what follows is what was said ("officials said it did not
        happen"), so only the predicate's own clause counts: nothing after it. After a past verb or participle
        an auxiliary's negation belongs to another verb ("the men released in May have not returned home").
        A condition belongs to the nearest verb before it ("agreed to hand over the boy if ...")."""
        start = self.predicate.after
        relative = self.grammar.relative_clause.search(self.text, start, clause_end)
        if relative is not None:  # "a truce that has not yet taken effect": the "not" is about its effect
            clause_end = relative.start()
        if self._says():
            return None
        nothing = _NOTHING_AFTER.match(self.text, start, clause_end)
        if nothing is not None and self.grammar is ENGLISH and not self._holds():
            return Verdict("negation", nothing.group(1).lower(), f"'{nothing.group(1)}' as its object denies it")
        negation = self.cues.negation_after.first(self.text, self.lowered, start, clause_end)
        if negation is not None and _words(self.text[start:negation.start]) <= AFTER_WINDOW_WORDS \
                and not (self._verb_past() and _AUXILIARY_NEGATION.fullmatch(negation.text)):
            return Verdict("negation", negation.text.lower(), f"'{negation.text}' right after it denies it")
        modal = self.grammar.modal_after.search(self.text, start, clause_end)
        if modal is not None and _words(self.text[start:modal.start()]) <= AFTER_WINDOW_WORDS \
                and not self._reports(self.text[self.predicate.start:self.predicate.end]) \
                and not self._definite_subject_of_another_verb(modal.end()):
            return Verdict("hedge", modal.group(0).lower(), f"'{modal.group(0)}' right after it makes it a possibility")
        hedge = next((cue for cue in sorted(self.cues.hedge_after.find(self.text, self.lowered, start, clause_end),
                                            key=lambda cue: (cue.start, -cue.end))
                      if not self._claim_as_thing(cue)
                      and not (cue.text.lower() in _ATTACHED_AFTER and self._nearer_verb(start, cue.start))), None)
        if hedge is not None:
            return Verdict("hedge", hedge.text.lower(),
                           f"'{hedge.text}' after it makes it a condition or a disputed claim, not a fact")
        return None
