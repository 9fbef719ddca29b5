"""``vigil why``: from an alert back to the feed entry that caused it, and forward to its deliveries.

Every derived event's metadata names its cause (``causation_id``: the position of the event that caused
it), so this is a walk along the log, not a search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.store.recorder import EventStore
from service.store.records import RecordedEvent


class UnknownAlert(LookupError):
    """No alert has that id."""


@dataclass(frozen=True)
class AlertChain:
    """Everything that led to an alert and everything that happened to it."""

    alert: RecordedEvent
    change: RecordedEvent | None
    evidence: list[RecordedEvent] = field(default_factory=list)
    entries: list[RecordedEvent] = field(default_factory=list)
    deliveries: list[RecordedEvent] = field(default_factory=list)


def explain_alert(store: EventStore, alert_id: str) -> AlertChain:
    """Walk the causation chain of ``alert_id``; UnknownAlert if there is none."""
    stream = store.read_stream(f"alert:{alert_id}")
    if not stream or stream[0].type != "AlertRaised":
        raise UnknownAlert(f"no alert with id {alert_id!r}")
    alert, deliveries = stream[0], stream[1:]
    cause = store.read_event(int(alert.metadata.get("causation_id") or alert.data["trigger_position"]))
    # A log imported from elsewhere, or hand-made, may point anywhere: only a state change explains an alert.
    change = cause if cause is not None and cause.type == "ItemStateChanged" else None
    evidence: list[RecordedEvent] = []
    entries: list[RecordedEvent] = []
    if change is not None:
        wanted = set(change.data.get("evidence_ids", []))
        evidence = [e for e in store.read_stream(f"item:{change.data['item']}", types=["EvidenceFound"])
                    if e.data["evidence_id"] in wanted]
        # Every entry behind the evidence in one read, each once, in log order.
        causes = store.read_events(int(e.metadata["causation_id"]) for e in evidence if e.metadata.get("causation_id"))
        entries = [causes[position] for position in sorted(causes)]
    return AlertChain(alert, change, evidence, entries, list(deliveries))


def format_chain(chain: AlertChain) -> list[str]:
    """The lines ``vigil why`` prints."""
    a = chain.alert.data
    lines = [f"alert {a['alert_id']}  rule {a['rule']}  severity {a['severity']}  (position {chain.alert.position})",
             f"  {a['title']}"]
    if chain.change is not None:
        d = chain.change.data
        lines.append(f"  <- ItemStateChanged #{chain.change.position}: {d['item']} "
                     f"{d['from_value']} -> {d['to_value']}")
    else:
        cause = chain.alert.metadata.get("causation_id") or a.get("trigger_position")
        lines.append(f"  <- no state change at position {cause}, the alert's recorded cause")
    for found in chain.evidence:
        d = found.data
        lines.append(f"     <- EvidenceFound #{found.position}: {d['item']} -> {d['value']}")
        lines.append(f"          \"{d['sentence']}\"  (pattern: {d['pattern']})")
    for entry in chain.entries:
        d = entry.data
        lines.append(f"        <- {entry.type} #{entry.position} from {d['source']}: {d['title']!r}")
        lines.append(f"             {d['link']}  published {d['published']}")
    for delivery in chain.deliveries:
        d = delivery.data
        detail = f" error: {d['error']}" if "error" in d else ""
        attempt = d.get("attempt", d.get("attempts", ""))
        target = f"{d.get('subscriber', '')} {d.get('target', '')}".strip()
        lines.append(f"  -> {delivery.type} #{delivery.position} {target} attempt {attempt}{detail}".rstrip())
    return lines
