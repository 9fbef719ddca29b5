"""Every projection of the log, in one list: what the store applies on append and ``vigil replay`` rebuilds."""

from __future__ import annotations

from service.alerting import acknowledgements
from service.alerting import projection as alerts
from service.delivery import projection as deliveries
from service.delivery import silence_projection as silences
from service.sources import projection as sources
from service.state import projection as items
from service.store.projection import Projection

PROJECTIONS: tuple[Projection, ...] = (
    sources.PROJECTION,
    items.PROJECTION,
    alerts.PROJECTION,
    deliveries.PROJECTION,  # after alerts: it updates the alert rows the alerts projection made
    silences.PROJECTION,
    acknowledgements.PROJECTION,
)
PROJECTION_TABLES: tuple[str, ...] = tuple(table for projection in PROJECTIONS for table in projection.tables)
