"""The alert-rule consumer: each ItemStateChanged, matched against the rules, may raise AlertRaised.

An alert's id is derived from (rule, triggering event) and its stream must be new, so processing the
same change twice can never raise a second alert, whatever crashes in between.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from service.alerting.identity import alert_id
from service.alerting.matching import matches
from service.alerting.reads import last_raised_at
from service.alerting.templates import AlertContext, render
from service.alerting.throttle import is_throttled
from service.events.catalog import AlertRaised, ItemStateChanged
from service.rules.models import AlertRule, ItemSpec, RuleSet
from service.store.recorder import Transaction
from service.store.records import NewEvent, RecordedEvent

log = logging.getLogger("vigil.alerting")

CONSUMER = "alerting"
TYPES = (ItemStateChanged.TYPE,)

class Routes(Protocol):
    """Who hears about an alert: delivery's routing (service/delivery/route.py), handed in by the wiring."""

    def recipients(self, rule: AlertRule, item_id: str, item: ItemSpec) -> list[str]:
        """The names of the subscribers to notify when ``rule`` fires for ``item_id``."""
        ...


@dataclass(frozen=True)
class AlertEngine:
    """Matches state changes against a rule set's alert rules.

    ``routes`` reads the routes as the log has them in the handling transaction; an alert records the
    recipients it names, so that every later reading of the log delivers to the same subscribers.
    """

    rules: RuleSet
    rules_hash: str
    routes: Callable[[Connection], Routes]

    def handle(self, tx: Transaction, event: RecordedEvent) -> None:
        """Raise an alert for every rule that matches this state change and is not throttled."""
        change = ItemStateChanged.from_data(event.data)
        item = self.rules.items.get(change.item)
        if item is None:  # the item left the rules after this change was recorded
            return
        routes = self.routes(tx.connection)
        for rule in self.rules.alerts:
            if not matches(rule, change, item, len(set(change.sources))):
                continue
            if self._throttled(tx.connection, rule, change.item, event.recorded_at):
                continue
            raised = self._raise(rule, change, event, routes)
            tx.append(
                f"alert:{raised.alert_id}",
                [
                    NewEvent(
                        AlertRaised.TYPE,
                        raised.to_data(),
                        {
                            "causation_id": event.position,
                            "correlation_id": event.metadata.get("correlation_id"),
                            "rules_hash": self.rules_hash,
                        },
                    )
                ],
                expected_version=0,
            )

    def _throttled(self, conn: Connection, rule: AlertRule, item: str, at: datetime) -> bool:
        if rule.throttle is None:
            return False
        last = last_raised_at(conn, rule.name, item)
        return is_throttled(datetime.fromisoformat(last) if last else None, rule.throttle, at)

    def _raise(
        self,
        rule: AlertRule,
        change: ItemStateChanged,
        event: RecordedEvent,
        routes: Routes,
    ) -> AlertRaised:
        item = self.rules.items[change.item]
        context = AlertContext(
            item_id=change.item,
            item_title=item.title,
            kind=item.kind,
            from_value=change.from_value,
            to_value=change.to_value,
            sentences=list(change.sentences),
            links=list(change.links),
            sources=list(change.sources),
            published=change.published,
            rule=rule.name,
            severity=rule.severity,
        )
        text = render(rule, context)
        for error in text.errors:
            log.warning("alert %s: %s", rule.name, error, extra={"rule": rule.name, "item": change.item})
        return AlertRaised(
            alert_id=alert_id(rule.name, event.position),
            rule=rule.name,
            item=change.item,
            severity=rule.severity,
            title=text.title,
            body=text.body,
            subscribers=routes.recipients(rule, change.item, item),
            trigger_position=event.position,
            rules_hash=self.rules_hash,
            template_errors=text.errors,
            group_seconds=rule.group.total_seconds() if rule.group else None,
        )

