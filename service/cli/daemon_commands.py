"""``vigil run``: the daemon, or one pass of the whole pipeline with ``--once``."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from typing import NoReturn

import click

from service.cli.context import (
    EXIT_ENVIRONMENT,
    EXIT_INPUT,
    db_url,
    fail,
    load_rules_or_exit,
    opened_store,
    rules_paths,
)
from service.cli.interruption import STAGES, PassReport, count, interruption_lines
from service.daemon.logs import configure_logging, remember_rule_secrets
from service.daemon.runner import Daemon, DaemonSettings
from service.delivery.retry import RetryPolicy
from service.pipeline.wiring import EarlyWork, Pipeline
from service.rules.durations import parse_duration
from service.rules.errors import RuleErrors
from service.sources.parse_pool import AUTO_MAX_WORKERS, AUTO_MIN_SOURCES
from service.sources.poller import PollOutcome, PollSettings
from service.store.errors import StoreError
from service.web.listen import ListenAddress, ListenError, check_api_token, parse_listen_address


def interrupted(report: PassReport) -> NoReturn:
    """Ctrl-C during ``run --once``: say what was finished and what is left, and exit 130 at once.

    Every step commits what it finished before it returns, so nothing is lost: a poll still reading its
    feed has written nothing, processing keeps its checkpoint, a send not yet recorded is sent again. The
    exit does not wait for a slow poll's thread (``os._exit``), which is what made Ctrl-C hang.
    """
    for line in interruption_lines(report):
        click.echo(line, err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


def _processed(entries: int, changes: int) -> str:
    return f"processed {count(entries, 'entry', 'entries')} ({count(changes, 'state change', 'state changes')})"


def _duration(_ctx: click.Context, _param: click.Parameter, value: str) -> object:
    try:
        return parse_duration(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _listen_address(_ctx: click.Context, _param: click.Parameter, value: str | None) -> object:
    if not value:
        return None
    try:
        return parse_listen_address(value)
    except ListenError as error:
        raise click.BadParameter(str(error)) from None


@click.command("run")
@click.option(
    "--rules",
    "rules",
    multiple=True,
    help="Rule file or folder (repeatable). Default: $VIGIL_RULES (colon-separated), else rules/.",
)
@click.option("--once", is_flag=True, help="Poll every source once, process, deliver, and exit.")
@click.option(
    "--http",
    "http",
    envvar="VIGIL_HTTP",
    callback=_listen_address,
    metavar="HOST:PORT",
    help="Serve the web dashboard, JSON API, /metrics and probes there, e.g. 127.0.0.1:8080. Env: VIGIL_HTTP. "
    "Set VIGIL_API_TOKEN to enable the subscriber routes.",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    envvar="VIGIL_LOG_FORMAT",
    help="Env: VIGIL_LOG_FORMAT.",
)
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
    default="INFO",
    show_default=True,
    envvar="VIGIL_LOG_LEVEL",
    help="Env: VIGIL_LOG_LEVEL.",
)
@click.option(
    "--process-every",
    default="2s",
    show_default=True,
    callback=_duration,
    help="How often new entries are processed (polls that find entries trigger it at once).",
)
@click.option(
    "--retry-base",
    default="30s",
    show_default=True,
    callback=_duration,
    help="First retry delay of a failed delivery; it doubles each attempt.",
)
@click.option("--retry-cap", default="1h", show_default=True, callback=_duration, help="Longest retry delay.")
@click.option(
    "--delivery-lease",
    default="45s",
    show_default=True,
    callback=_duration,
    help="How long a daemon's claim on a delivery lasts unless renewed (it is, while the send runs): how long "
    "another daemon waits for a delivery held by a daemon that died on another machine. At least 1s.",
)
@click.option(
    "--poll-timeout",
    default="20s",
    show_default=True,
    callback=_duration,
    help="Longest a feed may take to answer in full.",
)
@click.option(
    "--max-feed-bytes",
    type=click.IntRange(min=1024),
    default=10_000_000,
    show_default=True,
    help="Feeds larger than this are refused.",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Attempts before a delivery is abandoned (see `vigil alerts --failed`).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=8,
    show_default=True,
    envvar="VIGIL_WORKERS",
    help="Jobs the daemon runs at once (polls, processing, delivery share them). Env: VIGIL_WORKERS.",
)
@click.option(
    "--parse-workers",
    type=click.IntRange(min=0, max=64),
    default=None,
    envvar="VIGIL_PARSE_WORKERS",
    help="Processes that parse fetched feeds, so polling uses every core; 0 parses in the poll threads. "
    f"Default: one a core (at most {AUTO_MAX_WORKERS}) from {AUTO_MIN_SOURCES} sources on, else 0. "
    "Env: VIGIL_PARSE_WORKERS.",
)
@click.pass_context
def run_command(
    ctx: click.Context,
    rules: tuple[str, ...],
    once: bool,
    http: ListenAddress | None,
    log_format: str,
    log_level: str,
    process_every: object,
    retry_base: object,
    retry_cap: object,
    delivery_lease: timedelta,
    poll_timeout: object,
    max_feed_bytes: int,
    max_attempts: int,
    workers: int,
    parse_workers: int | None,
) -> None:
    """Run the daemon: poll sources on their schedules, track items, raise and deliver alerts.

    SIGTERM or SIGINT finish the running jobs and exit 0; SIGHUP reloads the rules (invalid new rules
    are refused and the running ones stay).
    """
    configure_logging(log_format, log_level)
    paths = rules_paths(rules)
    retry = RetryPolicy(base=retry_base, cap=retry_cap, max_attempts=max_attempts)  # type: ignore[arg-type]
    if delivery_lease < timedelta(seconds=1):
        raise click.BadParameter("must be at least 1s", param_hint="--delivery-lease")
    poll = PollSettings(timeout=poll_timeout.total_seconds(), max_bytes=max_feed_bytes,  # type: ignore[attr-defined]
                        parse_workers=parse_workers)
    if once:
        # One pass serves nothing. Refuse the option when typed; VIGIL_HTTP from a shared environment file
        # (a cron job beside the daemon) is ignored.
        if http and ctx.get_parameter_source("http") is click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError("--http serves a running daemon; it cannot be used with --once")
        loaded = load_rules_or_exit(paths)
        remember_rule_secrets(loaded.rules, os.environ)
        polled: list[PollOutcome] = []  # each poll adds its outcome as it finishes
        processed = None
        early = EarlyWork()  # what processing and delivery did alongside the polls
        stage = STAGES[0]
        with opened_store(ctx, creates=True, pipeline=True) as store:
            pipeline = Pipeline(store, loaded, retry=retry, delivery_lease=delivery_lease, poll_settings=poll)
            try:
                pipeline.record_configuration()
                stage = STAGES[1]
                # Entries are judged and alerts sent while later feeds are still being read.
                with pipeline.consuming_alongside() as early:
                    polls = pipeline.poll_all(force=True, finished=polled.append)
                stage = STAGES[2]
                outcome = early.plus(pipeline.process())
                processed = _processed(outcome.entries, outcome.changes)
                stage = STAGES[3]
                sent = early.sent + pipeline.deliver()
            except KeyboardInterrupt:
                if processed is None and early.entries:
                    processed = _processed(early.entries, early.changes)
                interrupted(PassReport(stage, list(polled), list(loaded.rules.sources), processed, early.sent))
            finally:
                pipeline.close()
        failed = sum(1 for p in polls if p.status == "failed")
        click.echo(
            f"polled {len(polls)} sources ({failed} failed), processed {outcome.entries} entries, "
            f"{outcome.changes} state changes, {sent} deliveries attempted"
        )
        if polls and failed == len(polls):
            # A pass that could read no feed learnt nothing: cron (or a monitor) should hear of it. What
            # was due was still processed and delivered, and each failure is recorded (SourcePollFailed).
            fail(f"every source failed to poll ({failed}); `vigil sources` shows why", EXIT_ENVIRONMENT)
        return
    try:
        api_token = check_api_token(os.environ.get("VIGIL_API_TOKEN")) if http else None
    except ListenError as error:
        fail(str(error), EXIT_INPUT)
    settings = DaemonSettings(
        db_url=db_url(ctx),
        rules_paths=paths,
        process_every=process_every,  # type: ignore[arg-type]
        retry=retry,
        delivery_lease=delivery_lease,
        poll=poll,
        http=http,
        api_token=api_token,
        public_url=os.environ.get("VIGIL_PUBLIC_URL") or None,
        websub_callback=os.environ.get("VIGIL_WEBSUB_CALLBACK") or None,
        workers=workers,
    )
    try:
        daemon = Daemon(settings)
    except RuleErrors as errors:
        for error in errors.errors:
            click.echo(str(error), err=True)
        ctx.exit(1)
    except StoreError as error:
        fail(str(error))
    except ListenError as error:
        fail(str(error))
    except ValueError as error:  # a VIGIL_HEAD_* setting
        fail(str(error), EXIT_INPUT)
    ctx.exit(daemon.run())


commands = [run_command]
