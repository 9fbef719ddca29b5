"""The geometry of an item's timeline picture: state bands over time, evidence marks, axis ticks.

Horizontal positions are percentages of the picture's width and vertical ones are pixels, so the SVG
fills any screen width while marks stay round and big enough to tap, and text keeps its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from service.rules.models import ItemSpec
from service.web.dashboard.item_history import EvidenceMark, ItemHistory

#: Colour classes ``state-1`` … ``state-8`` in the stylesheet; ``state-0`` is the neutral initial state.
PALETTE_SIZE = 8
HEIGHT = 90
BAND_TOP = 6
BAND_HEIGHT = 54
AXIS_Y = BAND_TOP + BAND_HEIGHT + 4
MARK_RADIUS = 7
#: Band labels sit in the band's top part, marks in its lower part, so a mark never covers a label.
LABEL_BASELINE = BAND_TOP + 16
MARK_CENTRE = BAND_TOP + 39
#: Marks closer than this (in pixels, on a phone-wide picture) form a cluster whose marks are moved apart:
#: the second one up, the next ones sideways, so that each stays visible and can be clicked.
NARROW_WIDTH_PX = 340
CLUSTER_STEP_Y = -16
CLUSTER_STEP_X = 2 * MARK_RADIUS + 3
#: Bands narrower than this share of the width carry no text label (their colour and legend still do).
LABEL_MIN_PERCENT = 16.0
#: The first band of a picture that draws only the newest changes: before them the item changed more
#: often than is drawn, so that stretch is neutral and says so rather than show one state it did not hold.
EARLIER_LABEL = "earlier changes"
TICK_STEPS = (
    timedelta(minutes=10),
    timedelta(minutes=15),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(days=1),
    timedelta(days=2),
    timedelta(days=7),
    timedelta(days=14),
    timedelta(days=30),
    timedelta(days=91),
    timedelta(days=365),
)
MAX_TICKS = 6
#: The axis runs to now while now is at most this many times the history's length (or an hour) past it;
#: beyond, it ends a little after the last moment ("no evidence since"), so a story minutes long from
#: two days ago is not squeezed into a sliver of an axis days wide.
NOW_REACH = 3
MIN_NOW_REACH = timedelta(hours=1)
#: The shortest axis: a story of a few minutes is drawn over an hour, not over a day.
MIN_SPAN = timedelta(hours=1)
#: Room on each side of the first and last moments, as a share of the span: a mark at either end is
#: drawn whole, inside the picture (a mark at "now" used to sit on the right edge, half cut off).
LEFT_MARGIN = 0.08
RIGHT_MARGIN = 0.06
TICK_MARGIN_PERCENT = 5.0


@dataclass(frozen=True)
class Band:
    """The item held ``value`` from ``start`` to ``end``."""

    value: str
    label: str
    colour: int
    x: float  # percent
    width: float  # percent
    start: datetime | None
    end: datetime | None
    current: bool
    show_label: bool


@dataclass(frozen=True)
class Mark:
    """One piece of evidence, drawn at its publication time."""

    anchor: str  # the HTML id of its details
    x: float  # percent
    y: int
    dx: int  # pixels: moves a mark of a cluster aside
    value: str
    label: str
    colour: int
    evidence: EvidenceMark


@dataclass(frozen=True)
class Tick:
    """A labelled moment on the time axis; minor ticks are hidden on narrow screens."""

    x: float  # percent
    label: str
    minor: bool


@dataclass(frozen=True)
class LegendEntry:
    """A state and its colour."""

    value: str
    label: str
    colour: int


@dataclass(frozen=True)
class TimelinePicture:
    """Everything the template needs to draw one item's timeline."""

    item: str
    title: str
    bands: list[Band]
    marks: list[Mark]
    ticks: list[Tick]
    legend: list[LegendEntry]
    start: datetime | None
    end: datetime | None
    ends_now: bool
    evidence_total: int = 0
    earlier_changes: bool = False  # the first band stands for changes not drawn (see EARLIER_LABEL)
    colours: dict[str, int] = field(default_factory=dict)  # every value of the item: its colour class
    labels: dict[str, str] = field(default_factory=dict)  # every value of the item: as people read it
    height: int = HEIGHT
    band_top: int = BAND_TOP
    band_height: int = BAND_HEIGHT
    label_baseline: int = LABEL_BASELINE
    axis_y: int = AXIS_Y
    mark_radius: int = MARK_RADIUS


def value_label(spec: ItemSpec, value: str) -> str:
    """A value as people read it: a date item's ISO day becomes ``9 Jun 2025``."""
    if spec.kind != "date":
        return value
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%b %Y}"


def state_colours(spec: ItemSpec, history: ItemHistory) -> dict[str, int]:
    """A colour class for each value of the item: the initial one neutral, then declared states, then the rest."""
    colours = {history.initial: 0}
    ordered = [*spec.state_names()[1:], *(row.to_value for row in history.changes),
               *(mark.value for mark in history.evidence)]
    for value in ordered:
        if value not in colours:
            colours[value] = (len(colours) - 1) % PALETTE_SIZE + 1
    return colours


@dataclass(frozen=True)
class TimeDomain:
    """The stretch of time a picture covers; pictures drawn on one domain can be compared at a glance."""

    start: datetime
    end: datetime
    ends_now: bool


def time_domain(histories: list[ItemHistory], now: datetime) -> TimeDomain | None:
    """From a little before the first moment (so initial states show) to now, or a little after the last
    moment when now is far beyond it; None when there is nothing to draw."""
    moments = [moment for history in histories for moment in _moments(history)]
    if not moments:
        return None
    first, last = min(moments), max(moments)
    span = max(last - first, MIN_SPAN)
    start = first - span * LEFT_MARGIN
    # Up to now, unless now is so far past the last moment that the history would shrink to a sliver.
    if now >= last and now - last <= max(span * NOW_REACH, MIN_NOW_REACH):
        return TimeDomain(start, now + (now - start) * RIGHT_MARGIN, ends_now=True)
    return TimeDomain(start, last + span * RIGHT_MARGIN * 2, ends_now=False)


def draw_timeline(
    spec: ItemSpec, history: ItemHistory, current: str, domain: TimeDomain | None, anchor_prefix: str
) -> TimelinePicture:
    """Lay out ``history`` over ``domain``: a band per state held, a mark per piece of evidence."""
    colours = state_colours(spec, history)
    colours.setdefault(current, (len(colours) - 1) % PALETTE_SIZE + 1)
    labels = {value: value_label(spec, value) for value in colours}
    if domain is None:  # nothing to place in time: the state as one band
        bands = [Band(current, labels[current], colours[current], 0.0, 100.0, None, None, True, True)]
        marks: list[Mark] = []
        ticks: list[Tick] = []
    else:
        bands = _bands(spec, history, current, colours, domain.start, domain.end)
        marks = _marks(spec, history.evidence, colours, domain.start, domain.end, anchor_prefix)
        ticks = _ticks(domain.start, domain.end)
    shown = {band.value for band in bands} | {mark.value for mark in marks}
    return TimelinePicture(
        item=history.item,
        title=spec.title,
        bands=bands,
        marks=marks,
        ticks=ticks,
        legend=[LegendEntry(value, labels[value], colour) for value, colour in colours.items() if value in shown],
        start=domain.start if domain else None,
        end=domain.end if domain else None,
        ends_now=domain.ends_now if domain else True,
        evidence_total=history.evidence_total,
        earlier_changes=history.earlier_changes,
        colours=colours,
        labels=labels,
    )


def _moments(history: ItemHistory) -> list[datetime]:
    return [_published(row.published) for row in history.changes] + [mark.published for mark in history.evidence]


def _published(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _percent(moment: datetime, start: datetime, end: datetime) -> float:
    share = (moment - start) / (end - start)
    return round(min(max(share, 0.0), 1.0) * 100, 3)


def _bands(
    spec: ItemSpec, history: ItemHistory, current: str, colours: dict[str, int], start: datetime, end: datetime
) -> list[Band]:
    values = [history.changes[0].from_value if history.changes else current]
    values += [row.to_value for row in history.changes]
    edges = [start]
    for row in history.changes:
        # A late report of an older development must not make a band run backwards.
        edges.append(max(_published(row.published), edges[-1]))
    edges.append(max(end, edges[-1]))
    bands = []
    for index, value in enumerate(values):
        x = _percent(edges[index], start, end)
        width = round(_percent(edges[index + 1], start, end) - x, 3)
        last = index == len(values) - 1
        elided = index == 0 and history.earlier_changes
        bands.append(
            Band(
                value="" if elided else value,
                label=EARLIER_LABEL if elided else value_label(spec, value),
                colour=0 if elided else colours.get(value, 0),
                x=x,
                width=width,
                start=edges[index] if index else None,
                end=None if last else edges[index + 1],
                current=last,
                show_label=width >= LABEL_MIN_PERCENT,
            )
        )
    return bands


def _marks(
    spec: ItemSpec,
    evidence: list[EvidenceMark],
    colours: dict[str, int],
    start: datetime,
    end: datetime,
    anchor_prefix: str,
) -> list[Mark]:
    min_gap = (2 * MARK_RADIUS + 2) / NARROW_WIDTH_PX * 100
    cluster_x, in_cluster = -100.0, 0
    marks = []
    for index, found in enumerate(evidence):
        x = _percent(found.published, start, end)
        in_cluster = in_cluster + 1 if x - cluster_x < min_gap else 0
        if in_cluster == 0:
            cluster_x = x
        marks.append(
            Mark(
                anchor=f"{anchor_prefix}-{index}",
                x=x,
                y=MARK_CENTRE + CLUSTER_STEP_Y * (in_cluster % 2),
                # Spread towards the middle: spread rightwards, a cluster near "now" left the picture.
                dx=CLUSTER_STEP_X * (in_cluster // 2) * (1 if cluster_x < 50 else -1),
                value=found.value,
                label=value_label(spec, found.value),
                colour=colours.get(found.value, 0),
                evidence=found,
            )
        )
    return marks


def _ticks(start: datetime, end: datetime) -> list[Tick]:
    span = end - start
    step = next((s for s in TICK_STEPS if span / s <= MAX_TICKS), TICK_STEPS[-1])
    if step >= timedelta(days=1):
        first = datetime(start.year, start.month, start.day, tzinfo=UTC) + timedelta(days=1)
    elif step >= timedelta(hours=1):
        first = datetime(start.year, start.month, start.day, start.hour, tzinfo=UTC) + timedelta(hours=1)
    else:  # the next whole multiple of the step within the hour (…:10, …:20, or :15, :30, …)
        hour = datetime(start.year, start.month, start.day, start.hour, tzinfo=UTC)
        first = hour + step * ((start - hour) // step + 1)
    ticks = []
    moment = first
    while moment < end:
        x = _percent(moment, start, end)
        if TICK_MARGIN_PERCENT <= x <= 100 - TICK_MARGIN_PERCENT:  # a label at the very edge would be cut
            ticks.append(Tick(x, _tick_label(moment, step), minor=len(ticks) % 2 == 1))
        moment += step
    return ticks


def _tick_label(moment: datetime, step: timedelta) -> str:
    if step < timedelta(days=1):
        return f"{moment.day} {moment:%b %H:%M}"
    if step >= timedelta(days=365):
        return f"{moment:%Y}"
    return f"{moment.day} {moment:%b}"
