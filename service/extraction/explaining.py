"""Printing what extraction concluded, sentence by sentence: the text ``vigil explain`` shows."""

from __future__ import annotations

from service.extraction.types import SentenceReport


def format_reports(reports: list[SentenceReport], *, all_sentences: bool = True) -> list[str]:
    """Readable lines: each sentence, each accepted finding, each veto with its cue and reason."""
    lines: list[str] = []
    for number, report in enumerate(reports, 1):
        if not all_sentences and not (report.findings or report.vetoes):
            continue
        lines.append(f"[{number}] {report.sentence}")
        for finding in report.findings:
            lines.append(f"    ACCEPTED  {finding.item} -> {finding.value}    pattern: {finding.pattern}")
        for veto in report.vetoes:
            cue = f" '{veto.cue}'" if veto.cue else ""
            lines.append(f"    VETOED    {veto.item} -> {veto.value}    by {veto.guard}{cue}: {veto.reason}")
            lines.append(f"              pattern: {veto.pattern}")
        if not report.findings and not report.vetoes:
            lines.append("    (nothing matched)")
    return lines
