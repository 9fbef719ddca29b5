"""What ``vigil run --once`` says when Ctrl-C stops it: the steps it finished and what the next run does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.sources.poller import PollOutcome

#: The steps of one pass, in order.
STAGES = ("recording the rules", "polling sources", "processing entries", "delivering alerts")


@dataclass(frozen=True)
class PassReport:
    """How far a pass got: the stage it was in, the polls it finished, what processing found."""

    stage: str
    polled: Sequence[PollOutcome]
    sources: Sequence[str]
    processed: str | None = None  # "processed 3 entries (1 state change)" once processing did something
    delivered: int = 0  # deliveries attempted (alongside the polls, or after them)


def interruption_lines(report: PassReport) -> list[str]:
    """The lines printed to stderr: where it stopped, what it finished, what is left for the next run."""
    finished: list[str] = []
    if report.polled:
        names = ", ".join(sorted(outcome.source for outcome in report.polled))
        new = sum(outcome.new for outcome in report.polled)
        finished.append(f"polled {names} ({count(new, 'new entry', 'new entries')})")
    if report.processed:
        finished.append(report.processed)
    if report.delivered:
        finished.append(f"attempted {count(report.delivered, 'delivery', 'deliveries')}")
    left: list[str] = []
    stage = STAGES.index(report.stage)
    if stage <= STAGES.index("polling sources"):
        done = {outcome.source for outcome in report.polled}
        pending = [source for source in sorted(report.sources) if source not in done]
        if pending:
            left.append(f"polling {', '.join(pending)}")
    if stage <= STAGES.index("processing entries"):
        left.append("processing entries" if stage < 2 else "processing the entries not yet processed")
    left.append("delivering alerts" if stage < 3 else "delivering the alerts not yet sent")
    return [
        f"vigil: interrupted while {report.stage}",
        f"  finished: {'; '.join(finished) if finished else 'nothing'}",
        f"  left for the next run: {', '.join(left)}",
        "  nothing is lost: the next `vigil run --once` picks up the rest",
    ]


def count(number: int, one: str, many: str) -> str:
    """``1 new entry``, ``2 new entries``."""
    return f"{number} {one if number == 1 else many}"
