"""The guards' blind spots found on real news language (issue 15), each with a sentence written here.

A one-word pattern per item, as the factuality bench maps it: only the guards decide.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.extraction.extractor import Extractor
from service.extraction.sentences import split_sentences
from service.extraction.types import EntryText
from service.rules.models import RuleSet

PUBLISHED = datetime(2025, 6, 7, 11, tzinfo=UTC)
WORDS = ("released", "release", "swept", "flight", "accepted", "killed", "lifted", "cut", "strike", "merged",
         "extended", "qualify", "said", "created", "speak", "sell", "reach", "visit", "fled", "filed", "opened",
         "raid", "deliver", "attack", "shelled", "ceremony", "ceasefire", "told", "reaching")


def verdict(text: str, word: str) -> tuple[bool, str]:
    """(accepted, guard and cue of the veto) for the one-word pattern ``word`` in ``text`` (an item for each word
    this file judges: items do not change each other's verdicts)."""
    words = dict.fromkeys((*WORDS, *MORE_WORDS, *THIRD_PASS_WORDS))
    rules = RuleSet.model_validate({"items": {w: {"title": w, "states": {"yes": [w]}} for w in words}})
    reports = Extractor(rules).explain(EntryText("wire", "g", "", "", text, PUBLISHED))
    if any(f.item == word for r in reports for f in r.findings):
        return True, ""
    vetoes = [f"{v.guard} {v.cue}" for r in reports for v in r.vetoes if v.item == word]
    return False, vetoes[0] if vetoes else "unmatched"


@pytest.mark.parametrize(
    ("text", "word", "cue"),
    [
        ("The rebels agreed to release the hostages.", "release", "hedge to"),
        ("Every citizen has the right to speak at the hearing.", "speak", "hedge to"),
        ("The ministry declined to confirm the strike.", "strike", "hedge declined to"),
        ("The company is going to sell the plant.", "sell", "hedge to"),
        ("The minister was set to visit the region.", "visit", "hedge to"),
        ("The union can strike at any time.", "strike", "hedge can"),
        ("The firm negotiates to sell the plant next year.", "sell", "hedge to"),
        ("Rumours that the ban was lifted are false.", "lifted", "negation are false"),
        ("It is expected that the bank cut rates.", "cut", "hedge it is expected that"),
    ],
)
def test_what_the_sentence_does_not_assert_is_vetoed(text: str, word: str, cue: str) -> None:
    assert verdict(text, word) == (False, cue)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Residents fled after the strike on the depot.", "strike"),  # "after" + a noun: it happened
        ("Residents hid when troops swept through the city.", "swept"),  # an irregular past
        ("A spokesman said the bank may not qualify.", "said"),  # the modal belongs to what was said
        ("Workers accepted the offer on Friday.", "accepted"),
        ("The workers accepted the offer and the strike ended.", "strike"),  # "offer" as a noun
        ("The storm could return, doctors said of the wounds created by the debris last week.", "created"),
        ("The index fell 9% to reach a ten-year low.", "reach"),  # a result, not an aim
        ("Nearly 300 people were killed in the attack.", "killed"),  # a quantity, not a near miss
        ("The company managed to sell the plant.", "sell"),
        ("Dow Jones extended the offer by a week.", "extended"),
    ],
)
def test_what_the_sentence_does_assert_is_accepted(text: str, word: str) -> None:
    assert verdict(text, word) == (True, "")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # "claims" and "alleged" naming a grievance or qualifying a noun report nothing about the predicate.
        ("Farmers filed a lawsuit over claims of crop damage.", "filed"),
        ("The insurer opened an office to handle claims from the flood.", "opened"),
        ("Troops launched a raid on alleged smuggling depots.", "raid"),
        # A time clause closed by a comma before a main clause that looks back; a later relative clause
        # about the future is about something else.
        ("Two years after the bridge was first promised, the opening ceremony has taken place, with trains that "
         "are to run next year.", "ceremony"),
        ("Weeks after the ceasefire, the army withdrew the guns that will be destroyed next month.", "ceasefire"),
        # A verb of saying after a comma is the report, a statement of its own.
        ("The firm plans to sell the plant, a spokesman said.", "said"),
        ("Ministers may meet again next week, officials told reporters.", "told"),
    ],
)
def test_claims_as_nouns_closed_time_clauses_and_reports_after_a_comma_are_accepted(text: str, word: str) -> None:
    assert verdict(text, word) == (True, "")


@pytest.mark.parametrize(
    ("text", "word", "cue"),
    [
        ("The village was shelled overnight, a militia commander claimed.", "shelled", "hedge claimed"),
        ("Officials rejected the claims that the army shelled the village.", "shelled", "hedge claims"),
        ("Police arrested two men over the alleged attack.", "attack", "hedge alleged"),
        ("After the talks end, the factory will deliver the trains.", "deliver", "hedge after"),
        ("After the ceasefire, the army will withdraw the guns.", "ceasefire", "hedge after"),
        ("The spokesman may have said so.", "said", "hedge may"),
        # Prevention: what is prevented, averted or fended off did not happen.
        ("Police prevented the attack on the depot.", "attack", "negation prevented"),
        ("The late deal averted a strike.", "strike", "negation averted"),
        ("Guards barred the marchers from reaching the embassy.", "reaching", "negation barred"),
    ],
)
def test_claims_that_report_time_clauses_that_look_ahead_and_prevention_veto(text: str, word: str, cue: str) -> None:
    assert verdict(text, word) == (False, cue)


def test_a_time_clause_about_the_future_still_vetoes() -> None:
    assert verdict("Shelling will stop after the strike on the depot.", "strike") == (False, "hedge after")
    assert verdict("Prisoners are freed once the strike ends.", "strike") == (False, "hedge once")


@pytest.mark.parametrize("abbreviation", ["Messrs.", "Cie.", "Mass."])
def test_the_splitter_keeps_a_sentence_whole_after_news_abbreviations(abbreviation: str) -> None:
    text = f"The board of {abbreviation} Dupont and Smith said the plant would close if sales fell."
    assert split_sentences(text) == [text]


# Issue: the hedge guard over-vetoed real news language (factuality bench, train and dev splits). Each sentence
# below is written here; the old guards got every one of them wrong.
MORE_WORDS = ("leaked", "sign", "close", "surrender", "approval", "selling", "sold", "took", "made", "agreed",
              "returned", "shelling", "bid", "raid", "killed", "commented", "opened", "cut", "fled", "ended",
              "sentenced", "lifted", "fly")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # After a verb of saying or thinking, what follows is what was said, not a denial of the saying.
        ("The minister said the talks did not fail.", "said"),
        # After a past participle, an auxiliary's "not" belongs to the next verb.
        ("The hostages released in May have not returned home.", "released"),
        # A condition belongs to the nearest verb before it: the aim, not the agreement.
        ("The rebels agreed to hand over the weapons if the army withdraws.", "agreed"),
        # A predicate inside a side remark is judged inside it.
        ("The agency, which reports the shelling every day, has not commented.", "shelling"),
        # Fixed phrases whose cue word has another sense.
        ("The raid on the depot was confirmed on condition of anonymity by two officers.", "raid"),
        ("Sales rose faster than expected and the strike ended.", "strike"),
        ("The would-be buyers filed a complaint.", "filed"),
        ("The man wanted for questioning fled the country.", "fled"),
        ("The No. 1 carmaker opened a plant.", "opened"),
        ("No fewer than 20 people were killed.", "killed"),
        # A cue noun as the subject of an auxiliary, and a market's demand, name things.
        ("The evacuation plans were leaked to the press.", "leaked"),
        ("Strong demand lifted sales.", "lifted"),
        # "To" after a verb that says the deed was done, after a ranking, or of where a market moved.
        ("Police were forced to release the suspect.", "release"),
        ("Poland was the first country to sign the treaty.", "sign"),
        ("The index rebounded to close higher.", "close"),
        # A comma closes a wish's or a denial's phrase; what follows is another statement.
        ("Hoping to calm the market, the bank cut rates.", "cut"),
        ("Refusing to return the boy, the relatives made him a symbol.", "made"),
        # A time clause that follows a past verb looks back, whatever the sentence says of the future.
        ("Sanctions imposed after the strike will stay in force.", "strike"),
        # A planned thing's noun phrase ends before the verb it is the subject of.
        ("The planned sale of the old plant to a rival bank was cut short.", "cut"),
        # "And" with an auxiliary starts a verb phrase of its own.
        ("The firm intends to bid for the contract and has opened talks.", "opened"),
        ("The firm did not bid and has opened a new plant.", "opened"),
        # An apposition about the subject's members is a side remark.
        ("Eleven people, none of them soldiers, were killed in the raid.", "killed"),
        # What the new object and infinitive rules leave alone.
        ("The minister said no talks were planned.", "said"),  # "no ..." is what was said
        ("The envoy made no secret of his joy.", "made"),  # an idiom, no deed left undone
        ("The court sentenced him to death.", "sentenced"),  # "to" before a bare noun
    ],
)
def test_news_language_the_guards_over_vetoed_is_accepted(text: str, word: str) -> None:
    assert verdict(text, word) == (True, "")


@pytest.mark.parametrize(
    ("text", "word", "cue"),
    [
        # Bare verbs that end like nouns ("-er", "-ure") are aims after "to".
        ("The rebels agreed to surrender the town.", "surrender", "hedge to"),
        # Chances, requirements, bans, attempts.
        ("The merger requires the approval of the regulator.", "approval", "hedge requires"),
        ("Officials played down the likelihood of a strike.", "strike", "hedge likelihood of"),
        ("The firm is prohibited from selling the plant.", "selling", "negation prohibited from"),
        ("Police foiled an attempted raid.", "raid", "hedge attempted"),
        ("The jet was due to fly to Rome.", "fly", "hedge to"),  # "due to" before a bare verb is a timetable
        # A demand's subjunctive.
        ("The union insisted that the plant be sold.", "sold", "hedge be"),
        # A verb whose object is "no ..." did not do it.
        ("The gunmen took no money.", "took", "negation no"),
        # What the narrowed guards still veto.
        ("The union will strike if talks fail.", "strike", "hedge if"),  # a condition right after it
        ("If talks fail, the army will strike.", "strike", "hedge if"),  # a condition reaches past its comma
        ("The strike prompted calls to release the prisoners.", "release", "hedge to"),  # a purpose noun's "to"
        ("The planned strike was called off.", "strike", "hedge planned"),  # within the noun's phrase
        ("After the ceasefire, the army will withdraw the guns.", "ceasefire", "hedge after"),
        ("Kyiv urged Moscow, Minsk and the UN to sign the treaty.", "sign", "hedge to"),  # a list's commas
        ("The unions demand, once more, that the bid was dropped.", "bid", "hedge demand"),  # an aside's commas
        ("Moscow wants new talks, including on a ceasefire.", "ceasefire", "hedge wants"),  # examples go on
        ("Sanctions will be lifted after the strike ends.", "strike", "hedge after"),  # "be lifted" is no past
        ("Guns seized after the strike ends will be destroyed.", "strike", "hedge after"),  # its own present
        ("The rebels agreed to free the hostages, a blogger claimed.", "agreed", "hedge claimed"),  # the whole claim
    ],
)
def test_news_language_the_guards_missed_is_vetoed(text: str, word: str, cue: str) -> None:
    assert verdict(text, word) == (False, cue)


# Issue 15, third pass (train and dev splits): quantifiers of none, verbs of stopping, opposing and asking, and
# claims of a deed or its toll. Each sentence is written here; those the old guards already judged right mark
# where the new rules stop ("a few", "stopped the shelling", "suspended after the attack").
THIRD_PASS_WORDS = ("ceasefire", "released", "paying", "production", "return", "release", "shelling", "attack",
                    "raid", "fled", "change", "exchange", "visit", "see", "truce", "bombing", "reach", "block",
                    "held", "describe")


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        # Vetoed: none or next to none of it, stopped, opposed, asked for, refrained from, begged.
        ("Any ceasefire must be approved by parliament.", "ceasefire", (False, "hedge any")),
        ("Few prisoners were released before the holiday.", "released", (False, "negation few")),
        ("Sales showed little change in May.", "change", (False, "negation little")),
        ("The utility stopped paying dividends in 2019.", "paying", (False, "negation stopped")),
        ("The carmaker has suspended production at two plants.", "production", (False, "negation suspended")),
        ("Families who oppose the return of the envoy held a vigil.", "return", (False, "hedge oppose")),
        ("Families wrote to the minister asking for the release of the sailors.", "release",
         (False, "hedge asking for")),
        ("Both sides must refrain from shelling the town.", "shelling", (False, "negation refrain from")),
        ("A banner read: please release the hostages.", "release", (False, "hedge please")),
        # Delayed, postponed, cancelled: not (yet) done. A goal or an eagerness is a wish.
        ("Moscow postponed the prisoner exchange.", "exchange", (False, "negation postponed")),
        ("The minister cancelled her visit to Kyiv.", "visit", (False, "negation cancelled")),
        ("Families protested at another delay in the exchange.", "exchange", (False, "negation delay in")),
        ("Both sides restated their goal of a lasting truce.", "truce", (False, "hedge goal of")),
        # A modal after an indefinite noun, after "such", or in the predicate's own passive still hedges it.
        ("A ceasefire could be agreed next week.", "ceasefire", (False, "hedge could")),
        ("Such a ceasefire would allow aid convoys in.", "ceasefire", (False, "hedge would")),
        ("The exchange would be held on Monday.", "exchange", (False, "hedge would")),
        # "Moved to" before what a court is asked to do is a motion, not a movement.
        ("Lawyers for the families moved to block the exchange.", "block", (False, "hedge to")),
        # Accepted: "a few" are some; a stopped thing with a determiner was going on; a preposition's or a past
        # verb's words are beyond the object; claiming a deed or its toll is no disputed claim.
        ("A few prisoners were released on Monday.", "released", (True, "")),
        ("The truce stopped the shelling of the port.", "shelling", (True, "")),
        ("Flights were suspended after the attack.", "attack", (True, "")),
        ("Villagers who opposed the mine fled the region.", "fled", (True, "")),
        ("A militant group claimed responsibility for the attack.", "attack", (True, "")),
        ("The raid claimed at least 20 lives.", "raid", (True, "")),
        # Accused of a deed does not doubt the deed; a delay beyond the object's words is about another thing; an
        # emotive "to" is said, not wished.
        ("The man accused of carrying out the bombing was arrested.", "bombing", (True, "")),
        ("The exchange went ahead despite flights delayed by the storm.", "exchange", (True, "")),
        ("We are pleased to see the truce hold.", "see", (True, "")),
        # A market's move with a thousands separator is still a move: "to reach" is its result.
        ("The index fell over 1,500 points in five days to reach a new low.", "reach", (True, "")),
        # A definite noun is presupposed; a modal after it qualifies another verb.
        ("The ceasefire could collapse within days.", "ceasefire", (True, "")),
        ("The prisoner exchange is expected to ease tensions.", "exchange", (True, "")),
        # A comparison with what was expected, words between; a verb used habitually "to" describe.
        ("A larger crowd than some organisers had expected held a vigil.", "held", (True, "")),
        ("Radar is the tool the agency always uses to describe the flights.", "describe", (True, "")),
    ],
)
def test_quantifiers_stopping_opposing_asking_and_claimed_deeds(text: str, word: str,
                                                                 expected: tuple[bool, str]) -> None:
    assert verdict(text, word) == expected
