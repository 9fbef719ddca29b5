"""Extraction throughput: sentences per second through scope, prefilter, patterns and guards, on one core.

A script, not a test: `.venv/bin/python -m tests.bench.extract_bench`. Two rule sets are generated:

- distinct vocabulary: item i tracks "projectNNNN" (three states, two patterns each, one scope group);
  the prefilter's keywords tell items apart.
- shared vocabulary: every item tracks the same kind of event ("<brand> has recalled its yoghurt"), as
  a recall watcher for many brands would; only scope (the brand named in the entry) tells them apart.

The sentences are a realistic mix: six in ten mention no item, two mention one in passing, one states a
change (a finding), one matches a pattern that a guard then refuses (a denial, a question or a negation).
Entries hold five sentences each.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

from service.extraction.extractor import Extractor
from service.extraction.types import EntryText
from service.rules.models import RuleSet

FILLER = [
    "Officials met for two hours in the capital on Tuesday and promised to meet again next week.",
    "The ministry published a statement late in the evening, without further detail.",
    "Analysts said markets reacted calmly to the news and the currency held steady.",
    "Heavy rain disrupted traffic across the region for most of the day.",
]


def distinct_rules(items: int) -> RuleSet:
    """Items with their own vocabulary."""
    return RuleSet.model_validate({"items": {
        f"project{i:04d}": {
            "title": f"Project {i}",
            "scope": [[f"region{i % 50:02d}", "capital"]],
            "states": {
                "approved": [f"project{i:04d} (was|has been) approved", f"approved (the )?project{i:04d}"],
                "halted": [f"project{i:04d} (was|has been) (halted|suspended)", f"(halted|suspended) project{i:04d}"],
                "finished": [f"project{i:04d} (was|has been) (finished|completed)",
                             f"completed (the )?project{i:04d}"],
            },
        } for i in range(items)}})


def distinct_sentences(items: int, rng: random.Random, n: int) -> str:
    """One sentence of the distinct-vocabulary mix."""
    i, roll = rng.randrange(items), n % 10
    if roll < 6:
        return rng.choice(FILLER)
    if roll < 8:
        return f"Residents of region{i % 50:02d} asked about project{i:04d} at a meeting in the capital."
    if roll == 8:
        return f"Officials in the capital said project{i:04d} has been approved."
    if n // 10 % 2:  # a pattern matches, and a guard refuses it: a denial, or a question
        return f"The council denied that project{i:04d} was halted, despite rumours in the capital."
    return f"Residents in the capital asked whether project{i:04d} has been suspended."


def shared_rules(items: int) -> RuleSet:
    """Items that all use the same words; each is scoped to its own brand."""
    return RuleSet.model_validate({"items": {
        f"brand{i:04d}-recall": {
            "title": f"Brand {i} recall",
            "scope": [[f"brand{i:04d}"], ["yoghurt", "yogurt"]],
            "states": {
                "announced": ["(has recalled|is recalling|recalled) ([\\w'-]+ ){0,4}(yoghurt|yogurt)",
                              "(yoghurt|yogurt) ([\\w'-]+ ){0,4}(was|has been|is being) recalled"],
                "ended": ["recall ([\\w'-]+ ){0,3}(was|has been) (lifted|ended)"],
            },
        } for i in range(items)}})


def shared_sentences(items: int, rng: random.Random, n: int) -> str:
    """One sentence of the shared-vocabulary mix."""
    i, roll = rng.randrange(items), n % 10
    if roll < 6:
        return rng.choice(FILLER)
    if roll < 8:
        return f"Shoppers asked whether brand{i:04d} yoghurt was safe to eat."
    if roll == 8:
        return f"Brand{i:04d} has recalled its oat yoghurt after a labelling error."
    return f"Brand{i:04d} said its yoghurt was not recalled."


#: The Ukrainian and Russian mix: filler, a passing mention, a statement (in an inflected form of the
#: pattern's words), and a denial or a question.
SLAVIC = {
    "uk": {"filler": ["Посадовці зустрілися у столиці у вівторок і пообіцяли зустрітися знову наступного тижня.",
                      "Міністерство оприлюднило заяву пізно ввечері, без подробиць.",
                      "Аналітики сказали, що ринки спокійно сприйняли новину.",
                      "Сильний дощ ускладнив рух у регіоні майже на весь день."],
           "pattern": "проєкт{i:04d} (було )?затвердили", "scope": "область{i:02d}",
           "mention": "Мешканці область{r:02d} питали про проєкт{i:04d} на зустрічі.",
           "statement": "Посадовці сказали, що проєкт{i:04d} затвердила рада область{r:02d}.",
           "denial": "Рада заперечила, що проєкт{i:04d} затвердили, попри чутки в область{r:02d}.",
           "question": "Чи затвердили проєкт{i:04d} в область{r:02d}?"},
    "ru": {"filler": ["Чиновники встретились в столице во вторник и пообещали встретиться снова на следующей неделе.",
                      "Министерство опубликовало заявление поздно вечером, без подробностей.",
                      "Аналитики сказали, что рынки спокойно восприняли новость.",
                      "Сильный дождь затруднил движение в регионе почти на весь день."],
           "pattern": "проект{i:04d} (был )?утвердили", "scope": "область{i:02d}",
           "mention": "Жители область{r:02d} спрашивали о проект{i:04d} на встрече.",
           "statement": "Чиновники сказали, что проект{i:04d} утвердил совет область{r:02d}.",
           "denial": "Совет опроверг, что проект{i:04d} утвердили, несмотря на слухи в область{r:02d}.",
           "question": "Утвердили ли проект{i:04d} в область{r:02d}?"},
}


def slavic_rules(items: int, language: str) -> RuleSet:
    """Items with their own vocabulary, their patterns in ``language`` (expanded to every word form)."""
    mix = SLAVIC[language]
    return RuleSet.model_validate({"items": {
        f"project{i:04d}": {
            "title": f"Project {i}",
            "scope": [[mix["scope"].format(i=i % 50)]],
            "languages": {language: {"states": {"approved": [mix["pattern"].format(i=i)]}}},
        } for i in range(items)}})


def slavic_sentences(language: str) -> Callable[[int, random.Random, int], str]:
    """The sentence mix of ``language``."""
    mix = SLAVIC[language]

    def sentence(items: int, rng: random.Random, n: int) -> str:
        i, roll = rng.randrange(items), n % 10
        if roll < 6:
            return rng.choice(mix["filler"])
        kind = "mention" if roll < 8 else "statement" if roll == 8 else "denial" if n // 10 % 2 else "question"
        return mix[kind].format(i=i, r=i % 50)
    return sentence


def measure(rules: RuleSet, sentence: Callable[[int, random.Random, int], str], items: int,
            count: int = 20_000, rounds: int = 3, language: str = "en") -> tuple[float, int]:
    """Sentences per second over ``count`` generated sentences (five to an entry), and the findings made.

    The best of ``rounds`` passes: other processes on the machine only ever slow a pass down.
    """
    extractor = Extractor(rules)
    rng = random.Random(11)
    sentences = [sentence(items, rng, n) for n in range(count)]
    published = datetime(2025, 6, 7, tzinfo=UTC)
    entries = [EntryText("bench", str(n), "", "", " ".join(sentences[n:n + 5]), published, language)
               for n in range(0, count, 5)]
    best, findings = float("inf"), 0
    for _ in range(rounds):
        findings = 0
        started = time.perf_counter()
        for entry in entries:
            findings += len(extractor.extract(entry))
        best = min(best, time.perf_counter() - started)
    return count / best, findings


def corpus_rate(rounds: int = 40) -> tuple[int, float]:
    """Sentences per second of the shipped Istanbul rules over the test corpus (match-heavy: most
    corpus sentences are about an item, unlike a real feed)."""
    from pathlib import Path

    from ruamel.yaml import YAML

    from service.rules.loader import load_rules

    root = Path(__file__).resolve().parents[2]
    corpus = YAML(typ="safe").load((root / "tests" / "extraction" / "corpus.yaml").read_text(encoding="utf-8"))
    extractor = Extractor(load_rules([root / "rules" / "istanbul-talks.yaml"]).rules)
    published = datetime(2025, 6, 7, 11, tzinfo=UTC)
    entries = [EntryText("bench", str(n), "", case.get("title", ""), case["text"], published)
               for n, case in enumerate(corpus["cases"])]
    sentences = sum(len(extractor.sentences(entry)) for entry in entries)
    started = time.perf_counter()
    for _ in range(rounds):
        for entry in entries:
            extractor.extract(entry)
    return sentences, sentences * rounds / (time.perf_counter() - started)


def main() -> None:
    """Print sentences/s for 10, 100 and 1,000 items, for both rule sets, for 100 Ukrainian and Russian
    items, and for the shipped rules."""
    print("target: >= 20,000 sentences/s with 100 items, on one core (best of 3 passes each)")
    for name, rules, sentence in (("distinct vocabulary", distinct_rules, distinct_sentences),
                                  ("shared vocabulary", shared_rules, shared_sentences)):
        figures = {items: measure(rules(items), sentence, items) for items in (10, 100, 1000)}
        print(f"{name}:")
        for items, (rate, findings) in figures.items():
            print(f"  {items:>5} items: {rate:10,.0f} sentences/s  ({findings:,} findings in 20,000 sentences)")
        ratio = figures[10][0] / figures[1000][0]
        print(f"  1,000 items cost {ratio:.2f}x what 10 items cost (100x the items)")
        print(f"  100 items: {'meets' if figures[100][0] >= 20_000 else 'MISSES'} the target")
    for language in SLAVIC:
        rate, findings = measure(slavic_rules(100, language), slavic_sentences(language), 100, language=language)
        print(f"{language}, 100 items: {rate:10,.0f} sentences/s  ({findings:,} findings in 20,000 sentences)")
    count, rate = corpus_rate()
    print(f"shipped rules/istanbul-talks.yaml over the {count}-sentence test corpus: {rate:,.0f} sentences/s")


if __name__ == "__main__":
    main()
