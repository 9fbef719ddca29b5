"""Tools for rule authors: ``vigil explain`` (what extraction makes of a text) and ``vigil test`` (rule tests)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from service.cli.context import EXIT_INPUT, fail, load_rules_or_exit, opened_store, parse_moment, rules_paths
from service.extraction.explaining import format_reports
from service.extraction.extractor import Extractor
from service.extraction.types import EntryText
from service.history.entry_judgement import UnknownEntry, judge_entry
from service.pipeline.rule_tests import RuleTestError, run_test_file, test_files
from service.rules.errors import RuleErrors
from service.rules.loader import LoadedRules
from service.sources.language import LANGUAGES, detect_language


@click.command("explain")
@click.argument("text", required=False)
@click.option("--published", help="Publication time of the text (relative dates count from it). Default: now.")
@click.option("--title", default="", help="The entry's title (judged like its text).")
@click.option("--rules", "rules", multiple=True, help="Rule file or folder; repeatable (default: rules/).")
@click.option("--matched-only", is_flag=True, help="Leave out sentences where no pattern matched.")
@click.option("--lang", "language", type=click.Choice(LANGUAGES),
              help="The text's language (en, uk, ru); detected when absent, as a feed entry's is.")
@click.option("--entry", "entry_key", help="A recorded entry (guid or log position) instead of TEXT: judged with "
                                           "the rules in force when it was read.")
@click.option("--item", help="With --entry: only this item's matches.")
@click.pass_context
def explain(ctx: click.Context, text: str | None, published: str | None, title: str, rules: tuple[str, ...],
            matched_only: bool, language: str | None, entry_key: str | None, item: str | None) -> None:
    """For each sentence of TEXT (or a recorded --entry): which item and value matched, by which pattern, and
    which guard vetoed it with which cue."""
    if (text is None) == (entry_key is None):
        fail("explain: give either TEXT or --entry GUID_OR_POSITION", EXIT_INPUT)
    loaded = load_rules_or_exit(rules_paths(rules))
    if entry_key is not None:
        _explain_entry(ctx, entry_key, item, loaded, matched_only)
        return
    assert text is not None
    moment = parse_moment(published, "--published") if published else datetime.now(UTC)
    language = detect_language(title, text, language)
    entry = EntryText(source="explain", guid="explain", link="", title=title, text=text, published=moment,
                      language=language)
    click.echo(f"published {moment.isoformat()} ({moment:%A}), language {language}")
    click.echo("\n".join(format_reports(Extractor(loaded.rules).explain(entry), all_sentences=not matched_only)))


def _explain_entry(ctx: click.Context, key: str, item: str | None, loaded: LoadedRules, matched_only: bool) -> None:
    with opened_store(ctx, pipeline=True) as store:
        try:
            judgement = judge_entry(store, key, loaded, item)
        except UnknownEntry as error:
            fail(str(error), EXIT_INPUT)
    data = judgement.entry.data
    click.echo(f"entry {data['guid']} from {data['source']} (position {judgement.entry.position}), "
               f"published {data['published']}")
    click.echo(judgement.rules_note)
    click.echo("\n".join(format_reports(judgement.reports, all_sentences=not matched_only)))


@click.command("test")
@click.argument("paths", nargs=-1)
def test(paths: tuple[str, ...]) -> None:
    """Run rule test files (*.test.yaml under PATHS, default rules/); exit 1 if a case fails."""
    passed = failed = 0
    try:
        for path in test_files(list(paths) or ["rules"]):
            for result in run_test_file(path):
                if result.passed:
                    passed += 1
                    continue
                failed += 1
                click.echo(f"FAIL {result.file}: {result.name}")
                for item, expected, got in result.mismatches:
                    click.echo(f"    {item}: expected {expected}, got {got}")
                for line in format_reports(result.reports, all_sentences=False):
                    click.echo(f"    {line}")
    except RuleErrors as errors:
        for error in errors.errors:
            click.echo(str(error), err=True)
        raise SystemExit(EXIT_INPUT) from None
    except RuleTestError as error:
        click.echo(f"vigil: {error}", err=True)
        raise SystemExit(EXIT_INPUT) from None
    if not passed and not failed:
        click.echo("vigil: no rule test cases found (files named *.test.yaml)", err=True)
        raise SystemExit(EXIT_INPUT)
    click.echo(f"{passed} passed, {failed} failed")
    if failed:
        raise SystemExit(EXIT_INPUT)


commands = [explain, test]
