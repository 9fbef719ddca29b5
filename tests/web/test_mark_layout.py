"""How timeline marks are laid out when they would touch (issue 19, item 1): apart, inside the picture, in
time order, and moved only where needed — at the width laid out for and at any wider one (the page's script
lays them out again at the real width; this layout is what shows without it)."""

from __future__ import annotations

import pytest

from service.web.dashboard.picture import MARK_EDGE, MARK_GAP, NARROW_WIDTH_PX, spread_marks

#: A story months long ending in a burst near now, a pile at one moment, and marks at both edges.
STORIES = {
    "burst at the right edge": [7.0, 22.0, 41.0, 60.0, 76.0, 88.0, 95.0, 97.6, 99.9, 99.92, 99.95, 99.97, 99.99, 100.0],
    "pile in the middle": [50.0] * 12,
    "both edges": [0.0, 0.0, 0.1, 99.9, 100.0, 100.0],
}


def _centres(xs: list[float], width: float, rows: list[int], shifts: list[int]) -> list[tuple[int, float]]:
    return [(row, x * width / 100 + shift) for x, row, shift in zip(xs, rows, shifts, strict=True)]


@pytest.mark.parametrize("story", STORIES)
@pytest.mark.parametrize("width", [NARROW_WIDTH_PX, 1170])
def test_marks_stay_apart_and_inside_at_any_wider_width(story: str, width: int) -> None:
    xs = STORIES[story]
    rows, shifts = spread_marks(xs)  # laid out for a phone
    for drawn_at in (NARROW_WIDTH_PX, width):
        centres = _centres(xs, drawn_at, rows, shifts)
        for row in (0, 1):
            in_row = [centre for on, centre in centres if on == row]
            assert in_row == sorted(in_row)  # time order kept
            assert all(b - a >= MARK_GAP - 1 for a, b in zip(in_row, in_row[1:], strict=False)), in_row
        assert all(MARK_EDGE - 1 <= centre <= drawn_at - MARK_EDGE + 1 for _, centre in centres), centres


def test_marks_far_apart_are_not_moved() -> None:
    xs = [10.0, 30.0, 50.0, 70.0, 90.0]
    assert spread_marks(xs) == ([0] * 5, [0] * 5)


def test_at_a_wide_picture_only_the_touching_marks_move() -> None:
    xs = STORIES["burst at the right edge"]
    rows, shifts = spread_marks(xs, 1170)
    assert shifts[:6] == [0] * 6  # weeks apart: each at its moment
    assert any(shift < 0 for shift in shifts[6:])  # the burst is moved in from the edge
