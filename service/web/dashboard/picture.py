"""The geometry of an item's timeline picture: state bands over time, evidence marks, axis ticks.

Horizontal positions are percentages of the picture's width and vertical ones are pixels, so the SVG
fills any screen width while marks stay round and big enough to tap, and text keeps its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

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
#: Marks are laid out for the narrowest picture a page draws (a phone): two rows, each mark at least
#: MARK_GAP pixels from its row's neighbours and MARK_EDGE pixels inside the picture. A layout that holds
#: at this width holds at any wider one (marks only move further apart), so every mark stays whole,
#: visible and clickable however wide the screen. A mark moved aside keeps its order in time.
NARROW_WIDTH_PX = 300
MARK_GAP = 2 * MARK_RADIUS + 3
MARK_EDGE = MARK_RADIUS + 4
CLUSTER_STEP_Y = -16
#: How many marks fit side by side in that layout (two rows, MARK_GAP apart, MARK_EDGE inside): more
#: would be pushed onto each other at the edge, hidden yet still sent and drawn. Pages draw at most
#: this many, the newest, and say how many there are in all.
MARK_CAPACITY = 2 * ((NARROW_WIDTH_PX - 2 * MARK_EDGE) // MARK_GAP + 1)
#: The invisible circle that takes a mark's clicks and taps (28 px across): smaller than the distance
#: between two marks' centres, so that no mark's target covers another mark's centre.
HIT_RADIUS = MARK_RADIUS + 7
#: Bands narrower than this share of the width carry no text label (their colour and legend still do).
LABEL_MIN_PERCENT = 16.0
#: The first band of a picture that draws only the newest changes: before them the item changed more
#: often than is drawn, so that stretch is neutral and says so rather than show one state it did not hold.
EARLIER_LABEL = "earlier changes"
TICK_STEPS = (
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
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
#: The axis fits the evidence: it spans at least MIN_SPAN (a story minutes long fills the picture instead
#: of a sliver of an axis a day wide), with EDGE_SHARE of it free before the first moment.
MIN_SPAN = timedelta(minutes=5)
EDGE_SHARE = 0.08
#: The axis runs on to now while the quiet time since the last moment is at most NOW_REACH times the
#: story's length (or MIN_SPAN); past that it stops after the last moment ("no evidence since", the story
#: in the middle), so the story keeps at least half the picture.
NOW_REACH = 1.0
#: The stretches a reader can choose instead of the fitted axis: the last day or week up to now.
SPANS = MappingProxyType({"day": timedelta(days=1), "week": timedelta(days=7)})
SPAN_CHOICES = ("all", "week", "day")
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
    span: str = "all"  # the stretch chosen (SPAN_CHOICES)
    before_span: int = 0  # pieces of evidence read but published before the chosen stretch: not drawn
    colours: dict[str, int] = field(default_factory=dict)  # every value of the item: its colour class
    labels: dict[str, str] = field(default_factory=dict)  # every value of the item: as people read it
    height: int = HEIGHT
    band_top: int = BAND_TOP
    band_height: int = BAND_HEIGHT
    label_baseline: int = LABEL_BASELINE
    axis_y: int = AXIS_Y
    mark_radius: int = MARK_RADIUS
    hit_radius: int = HIT_RADIUS
    mark_centre: int = MARK_CENTRE
    row_step: int = CLUSTER_STEP_Y
    mark_gap: int = MARK_GAP
    mark_edge: int = MARK_EDGE


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
    span: str = "all"  # one of SPAN_CHOICES: fitted to the evidence, or the last week or day


def time_domain(histories: list[ItemHistory], now: datetime, span: str = "all") -> TimeDomain | None:
    """The axis of ``histories``' pictures; None when there is nothing to draw.

    ``all`` fits the evidence: from a little before the first moment (so initial states show) to now, or
    to a little after the last moment when now is far beyond it, and never shorter than MIN_SPAN.
    ``day`` and ``week`` are that stretch up to now (or up to the last moment, if a source dated it later).
    """
    moments = [moment for history in histories for moment in _moments(history)]
    if not moments:
        return None
    first, last = min(moments), max(moments)
    if span in SPANS:
        end = max(now, last)
        return TimeDomain(end - SPANS[span], end, ends_now=True, span=span)
    length = last - first
    stretch = max(length, MIN_SPAN)
    if now - last <= stretch * NOW_REACH:
        end = max(now, last)
        return TimeDomain(min(first - length * EDGE_SHARE, end - stretch * (1 + EDGE_SHARE)), end, ends_now=True)
    margin = stretch * EDGE_SHARE + (stretch - length) / 2
    return TimeDomain(first - margin, last + margin, ends_now=False)


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
        before_span = 0
    else:
        bands = _bands(spec, history, current, colours, domain.start, domain.end)
        drawn = [found for found in history.evidence if found.published >= domain.start]
        before_span = len(history.evidence) - len(drawn)
        marks = _marks(spec, drawn, colours, domain.start, domain.end, anchor_prefix)
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
        span=domain.span if domain else "all",
        before_span=before_span,
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
        if width <= 0 and not last and edges[index + 1] <= start:
            continue  # held before the chosen stretch began: nothing of it is in the picture
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
    xs = [_percent(found.published, start, end) for found in evidence]
    rows, shifts = spread_marks(xs)
    return [
        Mark(
            anchor=f"{anchor_prefix}-{index}",
            x=x,
            y=MARK_CENTRE + CLUSTER_STEP_Y * row,
            dx=shift,
            value=found.value,
            label=value_label(spec, found.value),
            colour=colours.get(found.value, 0),
            evidence=found,
        )
        for index, (found, x, row, shift) in enumerate(zip(evidence, xs, rows, shifts, strict=True))
    ]


def spread_marks(xs: list[float], width: float = NARROW_WIDTH_PX) -> tuple[list[int], list[int]]:
    """Rows (0 or 1) and sideways shifts (pixels) that keep marks at ``xs`` (percent, ascending) apart and
    inside a picture ``width`` pixels wide or wider: each mark takes the row where it moves least, then
    marks pushed past the right edge are pushed back left, keeping their order.

    The page's script runs the same steps at the picture's real width (static/dashboard.js), so that on a
    wide screen marks move only where they would touch there; this layout is what shows without it.
    """
    low, high = MARK_EDGE, width - MARK_EDGE
    wanted = [min(max(x * width / 100, low), high) for x in xs]
    placed: list[float] = []
    rows: list[int] = []
    row_ends: list[float] = [-float("inf"), -float("inf")]
    for position in wanted:
        candidates = [max(position, row_end + MARK_GAP) for row_end in row_ends]
        row = 0 if candidates[0] <= candidates[1] else 1
        placed.append(candidates[row])
        rows.append(row)
        row_ends[row] = candidates[row]
    row_starts = [float("inf"), float("inf")]
    for index in reversed(range(len(placed))):
        row = rows[index]
        placed[index] = max(min(placed[index], row_starts[row] - MARK_GAP, high), low)
        row_starts[row] = placed[index]
    shifts = [round(position - x * width / 100) for position, x in zip(placed, xs, strict=True)]
    return rows, shifts


def _ticks(start: datetime, end: datetime) -> list[Tick]:
    span = end - start
    step = next((s for s in TICK_STEPS if span / s <= MAX_TICKS), TICK_STEPS[-1])
    midnight = datetime(start.year, start.month, start.day, tzinfo=start.tzinfo or UTC)
    if step >= timedelta(days=1):
        first = midnight + timedelta(days=1)
    else:  # the first whole multiple of the step in the day: 14:05, 14:10 … or 03:00, 06:00 …
        first = midnight + step * (-(-(start - midnight) // step))
    ticks = []
    moment = first
    while moment < end:
        x = _percent(moment, start, end)
        if TICK_MARGIN_PERCENT <= x <= 100 - TICK_MARGIN_PERCENT:  # a label at the very edge would be cut
            ticks.append(Tick(x, _tick_label(moment, step), minor=len(ticks) % 2 == 1))
        moment += step
    return ticks


def _tick_label(moment: datetime, step: timedelta) -> str:
    if step < timedelta(hours=1):  # the day is in the caption
        return f"{moment:%H:%M}"
    if step < timedelta(days=1):
        return f"{moment.day} {moment:%b %H:%M}"
    if step >= timedelta(days=365):
        return f"{moment:%Y}"
    return f"{moment.day} {moment:%b}"
