"""Every projection of the log, in one list: what the store applies on append and ``vigil replay`` rebuilds."""

from __future__ import annotations

from service.alerting import projection as alerts
from service.delivery import projection as deliveries
from service.sources import projection as sources
from service.state import projection as items
from service.store.recorder import Projector

PROJECTORS: tuple[Projector, ...] = (
    sources.project_sources,
    items.project_items,
    alerts.project_alerts,
    deliveries.project_deliveries,  # after alerts: it updates the alert rows the alerts projection made
)
PROJECTION_TABLES: tuple[str, ...] = sources.TABLES + items.TABLES + alerts.TABLES + deliveries.TABLES
